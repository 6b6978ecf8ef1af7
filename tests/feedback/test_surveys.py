"""NPS surveys: one answer per member while open, results, trend and the dashboard panel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import queries, services
from feedback.models import SurveyResponse
from hub.dashboard import panels
from hub.rewards.models import Balance
from tests.factories import UserFactory

from .factories import open_survey

pytestmark = pytest.mark.django_db


def test_member_answers_once_and_earns_points(member_client, member):
    survey = open_survey()
    url = reverse("feedback:survey", args=[survey.pk])
    member_client.post(url, {"score": 9, "comment": "Great people"})
    member_client.post(url, {"score": 0})
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [9]
    assert "you answered 9 out of 10" in member_client.get(url).content.decode()
    assert Balance.objects.get(user=member).lifetime == 5


@pytest.mark.parametrize("score", ["11", "-1", "", "ten"])
def test_score_outside_0_to_10_is_a_form_error(member_client, score):
    survey = open_survey()
    response = member_client.post(
        reverse("feedback:survey", args=[survey.pk]), {"score": score, "comment": "keep"}
    )
    page = response.content.decode()
    assert "Choose a score from 0 to 10." in page and "keep" in page
    assert not SurveyResponse.objects.exists()


def test_closed_survey_takes_no_answers(member):
    survey = open_survey(
        opens_at=timezone.now() - timedelta(days=10), closes_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(services.FeedbackError):
        services.answer_survey(survey, by=member, score=10)


def test_nps_is_promoters_minus_detractors(db):
    survey = open_survey()
    for score in (10, 9, 9, 8, 7, 3, 0, 10, 6, 9):
        services.answer_survey(survey, by=UserFactory(), score=score)
    totals = queries.survey_results(survey)["totals"]
    assert (totals["promoters"], totals["passives"], totals["detractors"]) == (5, 2, 3)
    assert totals["nps"] == 20


def test_trend_by_month(db):
    survey = open_survey(opens_at=timezone.now() - timedelta(days=90))
    now = timezone.now()
    for months_ago, score in ((2, 0), (2, 10), (0, 10)):
        response = services.answer_survey(survey, by=UserFactory(), score=score)
        response.created = now - timedelta(days=31 * months_ago)
        response.save()
    trend = queries.survey_results(survey)["trend"]
    assert [row["nps"] for row in trend] == [0, 100]


def test_results_page_in_the_admin(editor_client, db):
    survey = open_survey()
    services.answer_survey(survey, by=UserFactory(), score=10, comment="Lovely team")
    services.answer_survey(survey, by=UserFactory(), score=2, comment="Slow delivery")
    response = editor_client.get(reverse("feedback_survey_results", args=[survey.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Lovely team" in page and "Slow delivery" in page
    assert response.context["results"]["totals"]["nps"] == 0
    detractors = editor_client.get(
        reverse("feedback_survey_results", args=[survey.pk]) + "?group=detractor"
    ).content.decode()
    assert "Slow delivery" in detractors and "Lovely team" not in detractors


def test_members_cannot_see_results(member_client):
    survey = open_survey()
    response = member_client.get(reverse("feedback_survey_results", args=[survey.pk]))
    assert response.status_code in (302, 403)


def test_dashboard_panel_is_registered_cached_and_bounded(editor, django_assert_max_num_queries):
    survey = open_survey()
    for score in (10, 10, 0):
        services.answer_survey(survey, by=UserFactory(), score=score)
    [panel] = [p for p in panels(editor) if p.key == "feedback.nps"]
    with django_assert_max_num_queries(4):
        data = panel.context()
    assert data["latest"]["nps"] == 33
    with django_assert_max_num_queries(0):
        assert panel.context() == data
    from django.template.loader import render_to_string

    assert "NPS 33" in render_to_string(panel.template, data)


def test_members_are_asked_until_they_answer(member_client, member):
    survey = open_survey(title="Tell us how we do")
    assert "Tell us how we do" in member_client.get(reverse("feedback:ideas")).content.decode()
    services.answer_survey(survey, by=member, score=7)
    assert "Tell us how we do" not in member_client.get(reverse("feedback:ideas")).content.decode()
