from foresight.runner import _essence


def test_a_database_error_is_told_by_its_own_line_not_the_sql_or_the_link():
    message = (
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such column: "
        "foresight_work_requests.horizon_days\n"
        "[SQL: SELECT foresight_work_requests.request_id FROM foresight_work_requests]\n"
        "[parameters: ('open', 'deferred')]\n"
        "(Background on this error at: https://sqlalche.me/e/21/e3q8)\n"
    )
    assert _essence(message).endswith("no such column: foresight_work_requests.horizon_days")


def test_a_plain_error_keeps_its_last_line():
    assert _essence("Traceback noise\nInputDataError: file x.csv is empty") == (
        "InputDataError: file x.csv is empty"
    )
