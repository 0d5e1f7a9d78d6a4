def test_home_lists_services(client):
    from tests import factories

    svc, _, _ = factories.spa()
    page = client.get("/")
    assert page.status_code == 200
    assert svc.name in page.get_data(as_text=True)
