"""Messages marked in a page for the page cache (plumbing.message_marks)."""

from django.test import RequestFactory

from plumbing import message_marks


def test_a_block_is_marked_only_for_a_request_that_asked():
    request = RequestFactory().get("/")
    assert message_marks.marked(request, "<p>Saved.</p>") == "<p>Saved.</p>"
    message_marks.mark(request)
    assert message_marks.marked(request, "") == ""
    marked = message_marks.marked(request, "<p>Saved.</p>")
    page = f"<main>{marked}<h1>Track</h1>{marked}</main>".encode()
    assert message_marks.unmarked(page) == b"<main><p>Saved.</p><h1>Track</h1><p>Saved.</p></main>"
    assert message_marks.without_messages(page) == b"<main><h1>Track</h1></main>"


def test_a_message_holding_the_marks_cannot_end_its_block_early():
    request = RequestFactory().get("/")
    message_marks.mark(request)
    sneaky = f"<p>a{message_marks.CLOSE}b{message_marks.OPEN}c</p>"
    page = f"<main>{message_marks.marked(request, sneaky)}é</main>".encode()
    assert message_marks.without_messages(page) == "<main>é</main>".encode()
    assert message_marks.unmarked(page) == "<main><p>abc</p>é</main>".encode()
