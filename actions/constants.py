"""Names shared with `domain.yml` (a test checks they match)."""

SLOT_KB_ARTICLE = "kb_article"

ACTION_ANSWER_TOPIC = "action_answer_topic"
ACTION_TELL_ME_MORE = "action_tell_me_more"
ACTION_FOLLOW_UP = "action_follow_up"
ACTION_URGENT_CARE = "action_urgent_care"

ACTIONS = (ACTION_ANSWER_TOPIC, ACTION_TELL_ME_MORE, ACTION_FOLLOW_UP, ACTION_URGENT_CARE)
