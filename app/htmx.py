"""The one place that decides between a whole page and an htmx fragment."""
from flask import Response, make_response, redirect, render_template, request


def is_fragment_request() -> bool:
    """True when htmx will swap the response into part of the page."""
    h = request.headers
    return (
        h.get("HX-Request") == "true"
        and h.get("HX-Boosted") != "true"
        and h.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context) -> Response:
    """Render the fragment for htmx swaps and the whole page otherwise."""
    template = fragment if is_fragment_request() else page
    return make_response(render_template(template, **context), status)


def hx_redirect(url: str) -> Response:
    """Leave the page: HX-Redirect for htmx, 303 See Other for a plain form post."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def with_trigger(response: Response, *events: str) -> Response:
    """Ask htmx to fire these events so other regions refresh."""
    response.headers["HX-Trigger"] = ", ".join(events)
    return response


def render_form(page: str, form, fragment: str | None = None, *, status: int | None = None,
                **context) -> Response:
    """Render a form's page (or its fragment for htmx); 422 when the form has errors, unless
    a status (a 409 conflict) is given."""
    if status is None:
        status = 422 if form.errors else 200
    return render_page_or_fragment(page, fragment or page, status, form=form, **context)
