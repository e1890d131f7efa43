"""The clinic's vocabulary as enums: severities, kinds, states, roles, dispositions."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """How urgent an alert is; sorted most urgent first by `rank`."""

    IMMINENT = "imminent"
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for the most urgent severity."""
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = [Severity.IMMINENT, Severity.HIGH, Severity.MODERATE, Severity.LOW]


class AlertKind(StrEnum):
    """What an alert is about (docs/design.md section 5)."""

    OVERDOSE = "overdose"
    SUICIDAL_IDEATION = "suicidal_ideation"
    SELF_HARM = "self_harm"
    WITHDRAWAL = "withdrawal"
    RELAPSE = "relapse"
    CRAVING = "craving"
    PSYCHIATRIC = "psychiatric"
    DOMESTIC_VIOLENCE = "domestic_violence"
    HARM_TO_OTHERS = "harm_to_others"
    MISSED_CHECKIN = "missed_checkin"
    STRESSOR = "stressor"
    OTHER = "other"


class AlertStatus(StrEnum):
    """Where an alert stands in the queue."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class RiskLevel(StrEnum):
    """Suicide / overdose risk as screened; `rank` 0 is the highest."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    NONE = "none"

    @property
    def rank(self) -> int:
        """0 for the highest risk."""
        return _RISK_ORDER.index(self)


_RISK_ORDER = [RiskLevel.HIGH, RiskLevel.MODERATE, RiskLevel.LOW, RiskLevel.NONE]


class EpisodeStatus(StrEnum):
    """The state of a crisis episode."""

    OPEN = "open"
    HANDOFF_PENDING = "handoff_pending"
    CLOSED = "closed"


class EventKind(StrEnum):
    """Typed timeline events (W3)."""

    NOTE = "note"
    ALERT_ATTACHED = "alert_attached"
    LOCATION_CONFIRMED = "location_confirmed"
    CONTACT_ATTEMPT = "contact_attempt"
    RISK_SCREENING = "risk_screening"
    OVERDOSE_SCREENING = "overdose_screening"
    OVERDOSE_RESPONSE = "overdose_response"
    SAFETY_PLAN_REVIEW = "safety_plan_review"
    COPING_USED = "coping_used"
    REFERRAL = "referral"
    WARM_HANDOFF = "warm_handoff"
    HANDOFF_CONFIRMED = "handoff_confirmed"
    EMERGENCY_SERVICES = "emergency_services"
    EMERGENCY_CONTACT_NOTIFIED = "emergency_contact_notified"
    STATUS_CHANGE = "status_change"
    ESCALATION = "escalation"
    FOLLOW_UP_SCHEDULED = "follow_up_scheduled"
    FOLLOW_UP_ACTIVITY = "follow_up_activity"
    """An attempt, completion, reschedule or handover of one of the episode's follow-ups."""
    OUTCOME = "outcome"
    AMENDMENT = "amendment"


class ContactChannel(StrEnum):
    """How a contact was attempted."""

    PHONE = "phone"
    VIDEO = "video"
    TEXT = "text"
    IN_PERSON = "in_person"
    VOICEMAIL = "voicemail"


class ContactResult(StrEnum):
    """What a contact attempt achieved."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    WRONG_NUMBER = "wrong_number"
    DECLINED = "declined"


class FollowUpKind(StrEnum):
    """The kinds of follow-up contact (W4)."""

    CONTACT_24H = "contact_24h"
    DAILY_CHECKIN = "daily_checkin"
    CALL_72H = "call_72h"
    CARING_CONTACT = "caring_contact"


class FollowUpStatus(StrEnum):
    """Where a follow-up stands."""

    PENDING = "pending"
    DONE = "done"
    EXHAUSTED = "exhausted"
    CANCELLED = "cancelled"


class Role(StrEnum):
    """Staff roles; they decide what each person sees and may do."""

    CLINICIAN = "clinician"
    PEER = "peer"
    CASE_MANAGER = "case_manager"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ShiftRole(StrEnum):
    """A role on the on-call rota."""

    PRIMARY = "primary"
    BACKUP = "backup"
    SUPERVISOR = "supervisor"


class Disposition(StrEnum):
    """How an episode ended (docs/design.md section 6)."""

    STABILIZED = "stabilized"
    SAFETY_PLAN_UPDATED = "safety_plan_updated"
    MOBILE_CRISIS = "mobile_crisis"
    EMERGENCY_SERVICES = "emergency_services"
    TRANSPORTED_ED = "transported_ed"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management"
    HIGHER_LEVEL_OF_CARE = "higher_level_of_care"
    WARM_HANDOFF_CRISIS_LINE = "warm_handoff_crisis_line"
    UNABLE_TO_REACH = "unable_to_reach"
    DECLINED = "declined"
    NO_CRISIS = "no_crisis"

    @property
    def label(self) -> str:
        """The disposition as a clinician reads it."""
        return DISPOSITION_LABELS[self]


DISPOSITION_LABELS: dict[Disposition, str] = {
    Disposition.STABILIZED: "Stabilized by phone/video",
    Disposition.SAFETY_PLAN_UPDATED: "Safety plan reviewed and updated",
    Disposition.MOBILE_CRISIS: "Mobile crisis team dispatched",
    Disposition.EMERGENCY_SERVICES: "Emergency services (911) dispatched",
    Disposition.TRANSPORTED_ED: "Transported to emergency department",
    Disposition.WITHDRAWAL_MANAGEMENT: "Admitted to withdrawal management",
    Disposition.HIGHER_LEVEL_OF_CARE: "Referred to higher level of care",
    Disposition.WARM_HANDOFF_CRISIS_LINE: "Warm handoff to crisis line",
    Disposition.UNABLE_TO_REACH: "Unable to reach, wellness check requested",
    Disposition.DECLINED: "Client declined services",
    Disposition.NO_CRISIS: "No crisis found",
}


class ResourceCategory(StrEnum):
    """Categories of local help in the directory (W9)."""

    CRISIS_LINE = "crisis_line"
    MOBILE_CRISIS = "mobile_crisis"
    EMERGENCY_DEPARTMENT = "emergency_department"
    CRISIS_STABILIZATION = "crisis_stabilization"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management"
    SOBERING_CENTER = "sobering_center"
    MEDICATION_FOR_OUD = "medication_for_oud"
    NALOXONE = "naloxone"
    HARM_REDUCTION = "harm_reduction"
    RESIDENTIAL_TREATMENT = "residential_treatment"
    OUTPATIENT_TREATMENT = "outpatient_treatment"
    PEER_SUPPORT = "peer_support"
    MUTUAL_AID = "mutual_aid"
    SHELTER = "shelter"
    DOMESTIC_VIOLENCE = "domestic_violence"
    FOOD = "food"
    PHARMACY = "pharmacy"
    URGENT_CARE = "urgent_care"
