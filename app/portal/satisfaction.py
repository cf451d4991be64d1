"""The satisfaction question: answered from the emailed link (no sign-in: the signed token is
the key, and it answers once) or on the portal case page by the customer whose case it is."""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app.access import get_portal_case_or_404, is_case_contact
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect
from app.models import Case, User
from app.models.feedback import SatisfactionSurvey
from app.portal import bp
from app.portal.cases import case_page_context
from app.portal.common import current_customer
from app.portal.request_forms import SurveyForm
from app.services import satisfaction as survey_service
from app.services.errors import ValidationFailed
from app.services.portal_access import portal_user_of

THANKS = "Thank you! Your answer helps us do better."


@bp.app_template_global("portal_satisfaction")
def satisfaction_for(case: Case, me: User, form: SurveyForm | None = None) -> dict | None:
    """What the case page's satisfaction card shows: the open question (to the case's own
    contact, once it is closed) or their answer; None when there is nothing to show."""
    if case.is_open or not is_case_contact(me, case):
        return None
    survey = survey_service.latest_survey(case)
    if survey is None:
        return None
    return {"survey": survey, "form": form or SurveyForm(formdata=None)}


@bp.route("/cases/<int:number>/satisfaction", methods=["POST"])
def case_satisfaction(number: int):
    """The case's contact answers its open satisfaction question on the case page."""
    case = get_portal_case_or_404(number, current_user)
    me = current_customer()
    survey = survey_service.open_survey(case) if not case.is_open else None
    if survey is None or not is_case_contact(me, case):
        abort(404)
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey_service.answer_survey(survey, rating=form.rating.data,
                                         comment=form.comment.data, via="portal", actor=me)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(str(exc), "info")
            return hx_redirect(url_for("portal.case", number=number))
        db.session.commit()
        flash(THANKS, "success")
        return hx_redirect(url_for("portal.case", number=number) + "#satisfaction")
    return render_template("portal/case.html", **case_page_context(case),
                           satisfaction_form=form), 422


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token: str):
    """The emailed question, with no sign-in: a bad, old or used link gets a clear page."""
    try:
        survey = survey_service.survey_from_token(token)
    except survey_service.SurveyRefused as exc:
        return render_template("portal/survey_done.html", problem=str(exc)), 404
    if survey.is_answered:  # a reload after answering thanks again; a second answer is refused
        status = 409 if request.method == "POST" else 200
        return render_template("portal/survey_done.html", survey=survey,
                               already=status == 409), status
    form = SurveyForm()
    if request.method == "GET" and request.args.get("rating", "").isdigit():
        form.rating.data = int(request.args["rating"])  # the rating clicked in the email
    if form.validate_on_submit():
        return _answer_from_link(survey, form)
    status = 422 if request.method == "POST" else 200
    return render_template("portal/survey.html", survey=survey, form=form, token=token), status


def _answer_from_link(survey: SatisfactionSurvey, form: SurveyForm):
    contact = survey.contact
    actor = portal_user_of(contact) if contact is not None else None
    try:
        survey_service.answer_survey(survey, rating=form.rating.data, comment=form.comment.data,
                                     via="email", actor=actor)
    except survey_service.SurveyRefused:
        db.session.rollback()
        db.session.refresh(survey)
        return render_template("portal/survey_done.html", survey=survey, already=True), 409
    except ValidationFailed as exc:
        db.session.rollback()
        show_refusal(form, exc, default="rating")
        return render_template("portal/survey.html", survey=survey, form=form,
                               token=request.view_args["token"]), 422
    db.session.commit()
    flash(THANKS, "success")
    return hx_redirect(url_for("portal.survey", token=request.view_args["token"]))
