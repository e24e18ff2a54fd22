"""The editorial workflow: who may move an article from one status to the next.

    draft → review → published (now, or scheduled) → withdrawn → draft

plus "send back" from review to draft, for an editor who wants changes.
Every step is permission-checked here, whatever calls it (admin form, bulk
action, shell), is recorded as a Transition and saved as a revision.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles import recommendations
from articles.models import Article, Transition
from articles.revisions import save_revision

PUBLISH_PERMISSION = "articles.publish_article"

Status = Article.Status


class TransitionError(Exception):
    """A step that the article's status does not allow; nothing was changed."""


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    done: str  # past tense, for messages: "Published"
    needs_publish_permission: bool


STEPS = {
    step.name: step
    for step in [
        Step(
            "submit",
            "Submit for review",
            frozenset({Status.DRAFT}),
            Status.REVIEW,
            "Submitted for review",
            needs_publish_permission=False,
        ),
        Step(
            "send_back",
            "Send back to draft",
            frozenset({Status.REVIEW}),
            Status.DRAFT,
            "Sent back to draft",
            needs_publish_permission=True,
        ),
        Step(
            "publish",
            "Publish",
            frozenset({Status.REVIEW}),
            Status.PUBLISHED,
            "Published",
            needs_publish_permission=True,
        ),
        Step(
            "withdraw",
            "Withdraw",
            frozenset({Status.PUBLISHED}),
            Status.WITHDRAWN,
            "Withdrawn",
            needs_publish_permission=True,
        ),
        Step(
            "redraft",
            "Return to draft",
            frozenset({Status.WITHDRAWN}),
            Status.DRAFT,
            "Returned to draft",
            needs_publish_permission=True,
        ),
    ]
}


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def is_owner(user, article: Article) -> bool:
    """Whether the article is the user's own: they started it or carry its byline."""
    if article.pk is None or article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user_id=user.pk).exists()


def can_edit(user, article: Article) -> bool:
    """Editors edit anything; writers only their own articles while in draft."""
    if not user.has_perm("articles.change_article"):
        return False
    if can_publish(user):
        return True
    return article.status == Status.DRAFT and is_owner(user, article)


def may_take(user, article: Article, step: Step) -> bool:
    if step.needs_publish_permission:
        return can_publish(user) and user.has_perm("articles.change_article")
    return can_edit(user, article)


def available_steps(user, article: Article) -> list[Step]:
    """The steps the user may take on the article in its current status."""
    return [
        step
        for step in STEPS.values()
        if article.status in step.sources and may_take(user, article, step)
    ]


def check(user, article: Article, action: str) -> Step:
    """Return the step for ``action``, or say why it cannot be taken now."""
    step = STEPS.get(action)
    if step is None:
        raise TransitionError(f"“{action}” is not a workflow step.")
    if not may_take(user, article, step):
        raise PermissionDenied(
            f"You do not have permission to {step.label.lower()} this article."
        )
    if article.status not in step.sources:
        allowed = " or ".join(
            Status(source).label.lower() for source in sorted(step.sources)
        )
        raise TransitionError(
            f"“{article.headline}” is {article.get_status_display().lower()}; "
            f"only an article that is {allowed} can be "
            f"{step.done.lower()}."
        )
    return step


@transaction.atomic
def transition(
    article: Article,
    action: str,
    *,
    user,
    note: str = "",
    publish_at: datetime.datetime | None = None,
) -> Transition:
    """Take one workflow step, or raise and change nothing.

    Publishing uses ``publish_at``, else the article's own ``published_at``,
    else now; a future time schedules the article.
    """
    # Decide on the row as it is now, not as the caller loaded it.
    current = Article.objects.select_for_update().get(pk=article.pk)
    step = check(user, current, action)
    from_status = current.status
    if step.name == "publish":
        when = publish_at or current.published_at or timezone.now()
        if current.expires_at is not None and current.expires_at <= when:
            raise TransitionError(
                "The expiry time is not after the publication time; "
                "change or clear the expiry first."
            )
        current.published_at = when
    current.status = step.target
    current.revised_by = user
    current.edit_version += 1
    current.save()
    save_revision(
        current, user=user, comment=f"{step.done}." + (f" {note}" if note else "")
    )
    for name in ("status", "published_at", "revised_at", "revised_by", "edit_version"):
        setattr(article, name, getattr(current, name))
    recommendations.update_article(current)
    return Transition.objects.create(
        article=current,
        from_status=from_status,
        to_status=step.target,
        user=user,
        note=note,
        published_at=current.published_at if step.name == "publish" else None,
    )
