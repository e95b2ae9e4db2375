"""Names shared with `domain.yml` (a test checks they match)."""

SLOT_KB_ARTICLE = "kb_article"
SLOT_LANGUAGE = "language"
SLOT_TRIAL_OFFSET = "trial_offset"

ACTION_ANSWER_TOPIC = "action_answer_topic"
ACTION_TELL_ME_MORE = "action_tell_me_more"
ACTION_FOLLOW_UP = "action_follow_up"
ACTION_URGENT_CARE = "action_urgent_care"
ACTION_SWITCH_LANGUAGE = "action_switch_language"

INTENT_USE_ENGLISH = "use_english"
INTENT_USE_FRENCH = "use_french"

TRIAL_FORM = "trial_search_form"
ACTION_START_TRIAL_SEARCH = "action_start_trial_search"
ACTION_READ_TRIAL_ANSWERS = "action_read_trial_answers"
ACTION_SHOW_TRIALS = "action_show_trials"
ACTION_STOP_TRIAL_SEARCH = "action_stop_trial_search"

ACTIONS = (
    ACTION_ANSWER_TOPIC,
    ACTION_TELL_ME_MORE,
    ACTION_FOLLOW_UP,
    ACTION_URGENT_CARE,
    ACTION_SWITCH_LANGUAGE,
    ACTION_START_TRIAL_SEARCH,
    ACTION_READ_TRIAL_ANSWERS,
    f"validate_{TRIAL_FORM}",
    "action_ask_cancer_type",
    "action_ask_age",
    "action_ask_therapy_kind",
    "action_ask_trial_place",
    ACTION_SHOW_TRIALS,
    ACTION_STOP_TRIAL_SEARCH,
)
