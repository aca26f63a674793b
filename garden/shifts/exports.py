"""What this app holds about a person, for their data download."""

from .models import CalendarFeed, HoursEntry, Signup, SkillGrant


def export_shifts(user) -> dict:
    return {
        "signups": [
            {
                "shift": s.shift.title,
                "start": s.shift.start.isoformat(),
                "end": s.shift.end.isoformat(),
                "status": s.shift.status,
                "signed_up_at": s.created_at.isoformat(),
                "done_at": s.done_at.isoformat() if s.done_at else None,
                "note": s.note,
            }
            for s in Signup.objects.filter(user=user).select_related("shift")
        ],
        "hours": [
            {
                "date": e.date.isoformat(),
                "hours": str(e.hours),
                "source": e.source,
                "reason": e.reason,
            }
            for e in HoursEntry.objects.filter(user=user)
        ],
        "tasks": [
            {
                "title": t.title,
                "status": t.status,
                "due_date": t.due_date and t.due_date.isoformat(),
            }
            for t in user.shift_tasks.all()
        ],
        "skills": [
            g.skill.name for g in SkillGrant.objects.filter(user=user).select_related("skill")
        ],
        "calendar_feed": CalendarFeed.objects.filter(user=user).exists(),
    }
