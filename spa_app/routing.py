"""URL converters."""

from werkzeug.routing import IntegerConverter

#: Largest id a route accepts; larger numbers cannot exist and would overflow the database driver.
MAX_ID = 2**31 - 1


class BoundedIdConverter(IntegerConverter):
    """``<id:name>``: a positive database id; anything else is a plain 404."""

    #: ASCII digits only: ``\d`` would also take other scripts' digits ("١" as 1).
    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)
