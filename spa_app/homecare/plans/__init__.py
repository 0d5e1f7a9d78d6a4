"""Home-care plans, the second sub-feature: a draft from the generator, edited by the visit's
therapist against the editor's checks, published as a version, then followed by the client
(ticks, progress) and read back before the next visit (adherence). Plans read the intake;
the intake never reads plans."""
