from chalicelib.core.errors import Conflict, NotFound, preferred_language


def test_an_error_body_has_a_code_and_a_message_in_zh_tw_by_default():
    err = NotFound("找不到工單", "Repair order not found")
    assert err.status == 404
    assert err.body() == {"error": {"code": "not_found", "message": "找不到工單"}}


def test_an_error_message_is_in_english_when_asked_for():
    err = Conflict("工單已簽署", "The order is signed", code="signed")
    assert err.body("en") == {"error": {"code": "signed", "message": "The order is signed"}}


def test_the_language_follows_the_first_accept_language():
    assert preferred_language("en-US,en;q=0.9,zh-TW;q=0.8") == "en"
    assert preferred_language("zh-TW,zh;q=0.9,en;q=0.8") == "zh-TW"
    assert preferred_language(None) == "zh-TW"
