"""Path converters: the ids in the portal's addresses."""

# PostgreSQL's bigint, the type of every primary key (DEFAULT_AUTO_FIELD is BigAutoField).
MAX_DATABASE_ID = 2**63 - 1


class DatabaseIdConverter:
    """A row id: digits the database can hold, else no match (404), never an overflow (500)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_DATABASE_ID:
            raise ValueError("beyond the database's ids")  # Django answers 404
        return number

    def to_url(self, value):
        return str(int(value))
