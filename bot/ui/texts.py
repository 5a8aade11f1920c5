"""Every word the bot says, in one place, so the voice can be reviewed and translated.

The voice: warm, brief, invitational, British English. Never demand, never shame, never count
what someone did not do. Messages are HTML: anything a person wrote is escaped before it is
placed into these templates (see bot/ui/render.py), and nothing here holds user text.
"""

from __future__ import annotations

import sys

from bot.ui.language import Plural, Spoken

# --- Welcome, help, about -------------------------------------------------------------------

WELCOME = (
    "Hello, and welcome. 🌱\n\n"
    "This is a quiet place to notice <b>glimmers</b>: small, everyday moments that tell your "
    "body it is safe. Sunlight on a wall, a warm mug in your hands, a friendly voice."
)
WELCOME_HOW = (
    "Whenever you notice one, just send me a line about it. I'll keep it for you.\n\n"
    "Send several lines at once to keep several. Or use /glimmer to pause with one and let it "
    "land in your body for a few seconds.\n\n"
    "What you write is yours: only you can see it here, and /privacy says how it's kept."
)
WELCOME_FIRST = "There's no right way to do this, and no pressure. Shall we start with one?"
WELCOME_BACK = (
    "Welcome back. 🌱 Everything you've kept is still here.\n\n"
    "Send me a line whenever you notice a glimmer, or tap below to take it slowly."
)

HELP = (
    "<b>How to use this bot</b>\n\n"
    "Send any message: each line is kept as a glimmer.\n"
    "/glimmer: notice one slowly and savour it\n"
    "/g <i>text</i>: keep a glimmer in one go\n"
    "/cancel: leave what we're doing (anything you wrote is kept)\n"
    "/recap: your week, with a picture\n"
    "/history: everything you've kept\n"
    "/search <i>words</i>: find glimmers by their words\n"
    "/summary: a summary to share with your therapist (PDF and text)\n"
    "/tags: your #tags (put a #word in any glimmer)\n"
    "/anchor: one of your own glimmers, for a hard moment\n"
    "/settings: check-in time, time zone and more\n"
    "/language: the language I speak with you\n"
    "/export: take all of it with you, as files\n"
    "Send me a journal file (from /export, Daylio or Presently) to bring it in\n"
    "/forget: delete everything I keep about you\n"
    "/privacy: what I store and who can see it\n"
    "/about: the ideas behind glimmers\n"
    "/help: this message\n\n"
    "This bot is not a crisis service and can't respond to emergencies.\n"
    "{support}"
)

# Where to find urgent help, in /help and an empty /anchor, unless the people running the
# bot set SUPPORT_MESSAGE. Plain text. Name a free helpline only where the language is spoken
# and you are sure of its number.
SUPPORT_DEFAULT = (
    "If you are in danger or might harm yourself, call your local emergency number now. "
    "In the UK and Ireland you can ring Samaritans on 116 123, any time, free."
)

ABOUT = (
    "<b>Where glimmers come from</b>\n\n"
    "Our nervous system keeps scanning for signs of danger and of safety, mostly without us "
    "noticing. Stephen Porges called this scanning <i>neuroception</i>.\n\n"
    "Deb Dana describes three states as rungs on a ladder: <b>safe and connected</b> at the "
    "top, <b>mobilised</b> (on edge, ready to fight or flee) in the middle, and <b>shut "
    "down</b> (numb, far away) at the bottom. Triggers pull us down the ladder. Glimmers are "
    "the small cues that help us climb back up.\n\n"
    "Barbara Fredrickson's research suggests that brief, frequent moments of positive feeling "
    "add up: they widen what we notice and build resources over time, an upward spiral.\n\n"
    "So the practice is simple: notice small moments, and give the good ones a few seconds to "
    "land.\n\n"
    "<b>Further reading</b>\n"
    "• Dana, D. (2018). <i>The Polyvagal Theory in Therapy</i>. Norton.\n"
    "• Porges, S. W. (1995). Orienting in a defensive world. <i>Psychophysiology</i>, 32(4).\n"
    "• Fredrickson, B. L. (2001). The role of positive emotions in positive psychology. "
    "<i>American Psychologist</i>, 56(3).\n"
    "• Kok, B. E. &amp; Fredrickson, B. L. (2010). Upward spirals of the heart. "
    "<i>Biological Psychology</i>, 85(3)."
)

UNKNOWN_COMMAND = "I don't know that command. /help shows what I can do."
NOT_PRIVATE = (
    "Hello! I only work in a private chat, so I'll leave this one. Message me directly and we "
    "can begin."
)
NOT_PRIVATE_BUTTON = "I only work in a private chat: message me directly."
NOT_ALLOWED = (
    "Hello. I'm sorry: this bot is set up for a small group of people, and I can't help you "
    "here. If that seems wrong, ask whoever gave you the link."
)
SOMETHING_WENT_WRONG = "I'm sorry, something went wrong on my side. Please try again in a moment."

# --- Quick logging --------------------------------------------------------------------------

SAVED_ONE = "Kept: “{text}” ✨"
SAVED_MANY = Plural("Kept {count} glimmer. ✨", "Kept {count} glimmers. ✨")
SAVED_CHECKIN_ONE = "Thank you for sharing. Kept: “{text}” ✨"
SAVED_CHECKIN_MANY = Plural(
    "Thank you for sharing. Kept {count} glimmer. ✨",
    "Thank you for sharing. Kept {count} glimmers. ✨",
)
EDITED_ONE = "Updated: “{text}”"
EDITED_MANY = Plural("Updated {count} glimmer.", "Updated {count} glimmers.")
ASK_QUICK_TEXT = "What was the glimmer? Send it in one message, a line for each."
SAVE_FAILED = (
    "I'm sorry, I couldn't save that just now. Please send it again in a moment; "
    "nothing else has changed."
)
# Limits (bot/domain/limits.py): far above everyday use, said kindly when reached.
TOO_MANY_LINES = Plural(
    "That's a lot in one message: I kept the first {kept} line as a glimmer, the most one "
    "message holds. Send the rest in another message and I'll keep those too.",
    "That's a lot in one message: I kept the first {kept} lines as glimmers, the most one "
    "message holds. Send the rest in another message and I'll keep those too.",
    by="kept",
)
DAY_FULL = Plural(
    "You've kept {limit} glimmer today, the most I keep in one day, so this one wasn't "
    "kept. There's room again in about {wait}. Everything before it is safe.",
    "You've kept {limit} glimmers today, the most I keep in one day, so this one wasn't "
    "kept. There's room again in about {wait}. Everything before it is safe.",
    by="limit",
)
DAY_FULL_PART = Plural(
    "That brings you to the most glimmers I keep in one day ({limit}): I kept the first "
    "{kept} line of this message. There's room again in about {wait}.",
    "That brings you to the most glimmers I keep in one day ({limit}): I kept the first "
    "{kept} lines of this message. There's room again in about {wait}.",
    by="kept",
)
RECAP_RESTING = (
    "That's a lot of recaps in a short while, so let's give the charts a rest. "
    "You can ask again in about {wait}."
)
RECAP_RESTING_POPUP = "Let's give the charts a rest: try again in about {wait}."
EXPORT_RESTING = (
    "You've exported your journal a few times just now, so let's give it a rest. "
    "You can ask again in about {wait}; nothing has changed meanwhile."
)
# How long until there's room again, after "in about": "a minute", "7 minutes", "an hour".
WAIT_A_MINUTE = "a minute"
WAIT_MINUTES = Plural("{count} minute", "{count} minutes")
WAIT_AN_HOUR = "an hour"
WAIT_HOURS = Plural("{count} hour", "{count} hours")
UNDONE_ONE = "Removed. It's as if it was never sent."
UNDONE_MANY = Plural("Removed all {count}.", "Removed all {count}.")
ALREADY_GONE = "That one has already been removed."
PICK_SAVOUR = "Which one would you like to savour?"
PICK_DETAILS = "Which one would you like to add details to?"

TEXT_WORKS_BEST = (
    "Thank you for sending that. I can only keep words here, so a line of text about the "
    "moment works best."
)
PHOTO_NEEDS_WORDS = (
    "What a thing to capture. I can't keep photos, but if you add a few words as a caption, "
    "or send them as a message, I'll keep those."
)

# --- The guided conversation ----------------------------------------------------------------

ASK_TEXT = (
    "Let's take it slowly. 🌿\n\n"
    "What was the glimmer? A few words are plenty: what you noticed, where you were."
)
ASK_NEW_TEXT = "Send the new words for this glimmer, or keep them as they are:\n\n“{text}”"
ASK_SENSE = "Which sense or kind of moment brought it?"
ASK_BODY = "Where did you feel it in your body, if anywhere? Tap one, or type it in your own words."
ASK_BODY_TEXT = "Where did you feel it? Type it in your own words."
ASK_LADDER = "Where are you on your ladder right now?"
ASK_PAUSE = Plural(
    "Would you like to pause with it? Let the glimmer come back to mind and stay with it for "
    "<b>{seconds} second</b>. Notice anything that softens or settles. Choose a length:",
    "Would you like to pause with it? Let the glimmer come back to mind and stay with it for "
    "<b>{seconds} seconds</b>. Notice anything that softens or settles. Choose a length:",
    by="seconds",
)
PAUSING = Plural(
    "Stay with it now. 🕯\n\n"
    "Let the moment come back: what you saw, heard or felt. There's nothing to do but notice. "
    "I'll check back in {seconds} second.",
    "Stay with it now. 🕯\n\n"
    "Let the moment come back: what you saw, heard or felt. There's nothing to do but notice. "
    "I'll check back in {seconds} seconds.",
    by="seconds",
)
PAUSE_ENDED_EARLY = "That's fine. We can stop here."
ASK_LANDED = "Welcome back. How much did that land for you, from 1 (barely) to 5 (deeply)?"
ASK_LADDER_AFTER = "And where are you on your ladder now?"
SUMMARY_TITLE = "Saved ✨"
SUMMARY_SENSE = "Brought by: {value}"
SUMMARY_BODY = "Felt: {value}"
SUMMARY_LADDER = "Ladder: {value}"
SUMMARY_LADDER_SHIFT = "Ladder: {before} → {after}"
SUMMARY_SAVOURED = Plural(
    "Savoured for {seconds} second", "Savoured for {seconds} seconds", by="seconds"
)
SUMMARY_LANDED = "Landed: {value} of 5"
TIMED_OUT_KEPT = "We paused there, and that's fine. I've kept your glimmer just as it was:"
CANCELLED = "Of course. We'll leave it there."
CANCELLED_KEPT = "Of course. We'll leave it there; I've kept what you wrote."
NOTHING_TO_CANCEL = "There's nothing to cancel. Send a line whenever a glimmer comes to mind."
DELETED = "Removed."
DELETE_KEPT = "Kept. 🌱"
NO_CONTENT = "I can only keep words here. What was the glimmer, in a line or two?"

# --- Daily check-ins (one is chosen at random each time) ----------------------------------------

CHECKIN_PROMPTS = (
    "Evening. 🌙 Did any glimmers find you today? Reply with a line, or tap below.",
    "A gentle check-in: what small moment felt safe or warm today?",
    "Was there a glimmer today? A sound, a smell, a kind face. Just reply to this message.",
    "Looking back over today, did anything help you soften, even for a second?",
    "What glimmers did you notice today? One line is plenty.",
)
CHECKIN_REMINDER = "Here's the gentle nudge you asked for: did any glimmers find you today?"
CHECKIN_NOT_TODAY = "That's completely fine. Rest well, and I'll be here tomorrow. 🌱"
CHECKIN_REMIND_SET = "Of course. I'll check back in an hour."
BUTTON_NOT_TODAY = "Not today"
BUTTON_REMIND = "Remind me in an hour"

# --- Weekly recap, history, anchor ---------------------------------------------------------------

RECAP_TITLE = "<b>Your week of glimmers</b> ({start} – {end})"
RECAP_COUNT = "You noticed {glimmers} on {days}."
RECAP_GLIMMERS = Plural("{count} glimmer", "{count} glimmers")
RECAP_DAYS = Plural("{count} day", "{count} days")
RECAP_SENSES = "They came mostly through: {senses}."
RECAP_BODY = "You felt them as: {cues}."
# The body cues inside a sentence (RECAP_BODY): BODY_LABELS as they read mid-sentence.
BODY_PHRASES = {
    "chest": "warmth in the chest",
    "shoulders": "shoulders softening",
    "breath": "slower breath",
    "smile": "a smile",
    "belly": "a settled belly",
}
RECAP_TAGS = "Your tags this week: {tags}."

# A glimmer that comes back (with the weekly recap, or each check-in: /settings).
FLASHBACK_YEARS_AGO = Plural(
    "🌿 <b>A year ago today</b> you kept this:",
    "🌿 <b>{years} years ago today</b> you kept this:",
    by="years",
)
FLASHBACK_MONTH_AGO = "🌿 <b>About a month ago</b> ({date}) you kept this:"
FLASHBACK_STARRED = "🌿 <b>One you starred</b>, from {date}:"
FLASHBACK = (
    "{title}\n\n<i>“{text}”</i>\n\n"
    "If you like, let it come back for a moment, not just as words: where were you, what "
    "did you notice, how did it feel in your body? Stay with it for about 20 seconds."
)
RECAP_SHIFT_ONE = "The glimmer you savoured ended closer to safe and connected."
RECAP_SHIFT = Plural(
    "{closer} of {savoured} savoured glimmer ended closer to safe and connected.",
    "{closer} of {savoured} savoured glimmers ended closer to safe and connected.",
    by="savoured",
)
RECAP_TOP = "The one that landed most:\n<i>“{text}”</i>"
RECAP_SAMPLES = "A few from the week:"
RECAP_STREAK = Plural(
    "{days} day in a row with a glimmer noticed.",
    "{days} days in a row with a glimmer noticed.",
    by="days",
)
RECAP_INVITE = "For the week ahead: what small moment might you look out for?"
RECAP_EMPTY = (
    "<b>Your week</b> ({start} – {end})\n\n"
    "No glimmers kept this week, and that's alright: some weeks are like that.\n\n"
    "One small idea: next time you make a hot drink, pause for a breath and notice its "
    "warmth in your hands. If it feels good, send me a line."
)
# An earlier week (◀ Week before) with nothing kept.
RECAP_EMPTY_EARLIER = (
    "<b>That week</b> ({start} – {end})\n\n"
    "No glimmers were kept that week, and that's alright: some weeks are like that."
)
RECAP_CAPTION = (
    "Glimmers per day, {start} to {end}: {total} in all, most on {busiest}. "
    "Below, the senses that brought them{top_sense}."
)
RECAP_CAPTION_EMPTY = "An empty week, {start} to {end}: nothing kept yet, and that's fine."
RECAP_CAPTION_EMPTY_EARLIER = "An empty week, {start} to {end}: nothing kept, and that's fine."
RECAP_CAPTION_TOP_SENSE = ", led by {sense}"
# The words drawn on the recap's picture.
CHART_TITLE = "Your week of glimmers"
CHART_PER_DAY = "Glimmers each day"
CHART_SENSES = "What you noticed them through"
CHART_EMPTY_WEEK = "No glimmers this week yet"
CHART_NO_SENSES = "No senses picked this week"
BUTTON_PREVIOUS_WEEK = "◀ Week before"
BUTTON_NEXT_WEEK = "Next week ▶"
HISTORY_TITLE = "<b>Your glimmers</b> (page {page} of {pages})"
HISTORY_EMPTY = "Nothing here yet. Send me a line whenever you notice a glimmer."
HISTORY_ENTRY = "{number}. <i>{date}</i> · {text}{tags}"
SEARCH_ASK = (
    "What shall I look for? Send /search with a word or two, like "
    "<code>/search rain</code> or <code>/search sound morning</code>."
)
# The words searched for, in quotation marks, inside SEARCH_TITLE and SEARCH_NONE.
SEARCH_QUOTED = "“{words}”"
SEARCH_TITLE = Plural(
    "<b>Glimmers with {words}</b>: {count} found (page {page} of {pages})",
    "<b>Glimmers with {words}</b>: {count} found (page {page} of {pages})",
)
SEARCH_NONE = (
    "I couldn't find a glimmer with {words}. A shorter word, or another one, might find it; "
    "/history shows them all."
)
TAGS_TITLE = "<b>Your tags</b>, most used first. Tap one to see its glimmers.\n\n{tags}"
TAGS_MORE = Plural(
    "\n\n…and {count} more: /search #tag finds it.",
    "\n\n…and {count} more: /search #tag finds any of them.",
)
TAG_ENTRY = "#{tag} ({count})"
TAGS_NONE = (
    "No tags yet. Put a #word anywhere in a glimmer, like "
    "<code>tea with Sam #friends</code>, and it becomes a tag to find it by."
)
TAGS_GONE = "That list has been put away. Send /tags again."
SEARCH_GONE = "That search has been put away. Send /search again to look."
SEARCH_RESTING = (
    "That's a lot of searching in a short while, so let's give it a rest. "
    "You can look again in about {wait}."
)
SEARCH_RESTING_POPUP = "Let's give searching a rest: try again in about {wait}."
BUTTON_PREVIOUS = "◀ Newer"
BUTTON_NEXT = "Older ▶"
BUTTON_STAR = "☆ Keep this one"
BUTTON_UNSTAR = "★ Kept"
STARRED = "Starred. /anchor will offer it first."
UNSTARRED = "Unstarred."
ANCHOR = (
    "Here is something you noticed before, on {date}:\n\n<i>“{text}”</i>\n\n"
    "Take a slow breath. Let it come back, just a little: where were you, what did you sense? "
    "You don't have to feel better; just notice what's here."
)
ANCHOR_EMPTY = (
    "There's nothing to look back on yet, and that's okay. If you can, look around for one "
    "small thing that feels neutral or kind: a colour, a sound, the ground under your feet.\n\n"
    "{support}"
)
BUTTON_ANOTHER = "Show another"
BUTTON_OPEN_TITLE = "From your glimmers"

# --- Settings ------------------------------------------------------------------------------

SETTINGS_TITLE = "<b>Your settings</b>"
SETTINGS_SUMMARY = (
    "Daily check-in: {checkin}\n"
    "Time zone: {zone}\n"
    "Skip the check-in on days you've already logged: {skip}\n"
    "Savouring pause: {savour}\n"
    "Ladder questions: {ladder}\n"
    "Weekly recap: {recap}\n"
    "Streaks in the recap: {streaks}\n"
    "Glimmers that come back: {flashbacks}\n"
    "Language: {language}\n\n"
    "Tap what you'd like to change."
)
SETTINGS_SECONDS = Plural("{count} second", "{count} seconds")
SETTINGS_CHECKIN_AT = "{time} on {days}"
SETTINGS_CHECKIN_WINDOW = "a surprise moment between {start} and {end}, on {days}"
SETTINGS_CHECKIN_OFF = "off"
SETTINGS_CHECKIN_PAUSED = "{plan} (paused until {date})"
SETTINGS_RECAP_AT = "{day} at {time}"
SETTINGS_ON = "on"
SETTINGS_OFF = "off"
EVERY_DAY = "every day"
WEEKDAYS = "weekdays"
ASK_CHECKIN_TIME = (
    "When would you like your daily check-in? Tap a time, or type one (like 20:30 or 8.30 pm)."
)
ASK_TYPED_TIME = "Type the time you'd like, for example 20:30, 8pm or 8.30 pm."
BAD_TIME = "I couldn't read that as a time. Something like 20:30, 8pm or 8.30 pm works."
ASK_ZONE = (
    "Which time zone are you in? Type a city or a zone name (like London, New York or "
    "Europe/Berlin), or share your location and I'll work it out."
)
BAD_ZONE = "I couldn't find that place. Try a nearby big city, or a name like Europe/London."
ZONE_SET = "Time zone set to {zone}. Your local time there is {time}."
ZONE_FROM_LOCATION = (
    "Time zone set to {zone}, from your location. It doesn't follow summer time; typing "
    "your city instead gives a zone that does."
)
ASK_DAYS = "Which days would you like a check-in? Tap to turn days on or off."
ASK_PAUSE_CHECKINS = "Take a break from check-ins? Nothing is lost, and you can still log any time."
ASK_SAVOUR = "How long would you like the savouring pause to be?"
ASK_RECAP = "When would you like your weekly recap?"
SETTINGS_SAVED = "Saved."
START_CHECKIN_OFFER = (
    "One more thing: I can send a gentle check-in each evening at {time} ({zone} time). "
    "You can change the time, your time zone, or turn it off in /settings."
)
BUTTON_TIME = "🕗 Check-in time"
BUTTON_ZONE = "🌍 Time zone"
BUTTON_DAYS = "📅 Days"
BUTTON_PAUSE_MENU = "⏸ Pause"
BUTTON_CHECKINS_ON = "Check-ins: on"
BUTTON_CHECKINS_OFF = "Check-ins: off"
BUTTON_SKIP_ON = "Skip if logged: on"
BUTTON_SKIP_OFF = "Skip if logged: off"
BUTTON_SAVOUR_MENU = "⏱ Savouring length"
BUTTON_LADDER_ON = "Ladder questions: on"
BUTTON_LADDER_OFF = "Ladder questions: off"
BUTTON_RECAP_MENU = "📬 Weekly recap"
BUTTON_LANGUAGE = "🗣 Language"
FLASHBACKS_WHEN = {
    "weekly": "with the weekly recap",
    "checkin": "with each check-in",
    "off": "off",
}
BUTTON_FLASHBACKS = {
    "weekly": "Come back: weekly",
    "checkin": "Come back: daily",
    "off": "Come back: off",
}
BUTTON_STREAKS_ON = "Streaks: on"
BUTTON_STREAKS_OFF = "Streaks: off"
BUTTON_TYPE_TIME = "Type a time…"
BUTTON_SURPRISE = "Surprise me (10:00–19:00)"
BUTTON_EVERY_DAY = "Every day"
BUTTON_WEEKDAYS = "Weekdays"
BUTTON_PAUSE_DAY = "For a day"
BUTTON_PAUSE_WEEK = "For a week"
BUTTON_PAUSE_OFF = "Until I resume"
BUTTON_RESUME = "Resume now"
BUTTON_RECAP_OFF = "No weekly recap"
BUTTON_RECAP_ON = "Send the weekly recap"
BUTTON_BACK = "◀ Back"

# --- /language (and its button in /settings) ---------------------------------------------------

LANGUAGE_ASK = "Which language shall I speak with you? You can change it again at any time."
# Said in the newly chosen language, right after the choice.
LANGUAGE_SET = "From now on I'll speak English with you. 🌱"
LANGUAGE_SAME = "We're already speaking English."
# The language's own name, in the /settings summary.
LANGUAGE_NAME = "English"

# --- Buttons --------------------------------------------------------------------------------

BUTTON_LOG_FIRST = "Log your first glimmer"
BUTTON_LOG = "Log a glimmer"
BUTTON_SAVOUR = "Savour it"
BUTTON_DETAILS = "Add details"
BUTTON_UNDO = "Undo"
BUTTON_SKIP = "Skip"
BUTTON_SOMEWHERE_ELSE = "Somewhere else…"
BUTTON_SKIP_PAUSE = "Skip the pause"
BUTTON_BEGIN = "Begin · {seconds} s"
BUTTON_SECONDS = "{seconds} s"
BUTTON_EDIT = "Edit"
BUTTON_DELETE = "Delete"
BUTTON_DELETE_YES = "Yes, remove it"
BUTTON_DELETE_NO = "No, keep it"
BUTTON_KEEP_TEXT = "Keep the words"

# --- Answers to button presses (short pop-ups) ------------------------------------------------

BUTTON_EXPIRED = "That button has expired. Send /help to see what you can do."
SAVOUR_CHOICE_REMEMBERED = Plural(
    "I'll offer {seconds} second next time too.",
    "I'll offer {seconds} seconds next time too.",
    by="seconds",
)

# --- Labels for stored answer codes ---------------------------------------------------------

SENSE_LABELS = {
    "sight": "👀 Sight",
    "sound": "👂 Sound",
    "touch": "✋ Touch",
    "smell": "👃 Smell",
    "taste": "👅 Taste",
    "movement": "🚶 Movement",
    "people": "🤝 People or animals",
    "place": "🏡 A place",
    "memory": "💭 A memory or thought",
    "other": "✨ Something else",
}
BODY_LABELS = {
    "chest": "Warmth in the chest",
    "shoulders": "Shoulders softening",
    "breath": "Slower breath",
    "smile": "A smile",
    "belly": "A settled belly",
}
LADDER_LABELS = {
    "safe": "🟢 Safe & connected",
    "mobilised": "🟠 Mobilised, on edge",
    "shutdown": "🔵 Shut down, numb",
}

# --- Telegram's command menu ------------------------------------------------------------------

# Each command and its line in Telegram's menu, sent for each language the bot speaks.
COMMAND_MENU = {
    "glimmer": "Notice a glimmer slowly and savour it",
    "g": "Keep a glimmer in one go: /g warm tea",
    "help": "How this works, and where to find support",
    "about": "The ideas behind glimmers",
    "recap": "Your week of glimmers, with a picture",
    "settings": "Check-in time, time zone and more",
    "language": "The language I speak with you",
    "history": "Everything you've kept",
    "search": "Find glimmers by their words: /search rain",
    "tags": "Your #tags, to find glimmers by",
    "summary": "A summary for your therapist, as a PDF",
    "anchor": "One of your own glimmers, for a hard moment",
    "export": "Take all your glimmers with you, as files",
    "privacy": "What is stored, and who can see it",
    "forget": "Delete everything the bot keeps about you",
    "cancel": "Leave what we're doing",
    "start": "Welcome",
}

FLOOD_SUMMARY = Plural(
    "…and {count} more message, kept. ✨ I stayed quiet so as not to interrupt you. "
    "/history shows every glimmer.",
    "…and {count} more messages, all kept. ✨ I stayed quiet so as not to interrupt you. "
    "/history shows every glimmer.",
)

# --- Your data: privacy, export, erasure ----------------------------------------------------

PRIVACY = (
    "<b>What I keep, and who can see it</b>\n\n"
    "<b>What:</b> the glimmers you send me and the answers you give (senses, body, ladder, "
    "stars), your settings (check-in time, time zone, days, language), when check-ins were "
    "sent, and where a conversation with me is up to. Your Telegram user id links them; I "
    "don't keep your name or username.\n\n"
    "<b>Where:</b> in one database file on the server of whoever runs this bot{encryption}\n\n"
    "<b>Who can see it:</b> only you, here in this chat. No other user can reach your "
    "glimmers. The bot shows the people who run it counts only (how many people, how many "
    "glimmers), never what you wrote, and its logs never hold your words or your name.\n\n"
    "<b>How long:</b> until you delete it. /forget deletes everything, for good; a single "
    "glimmer can be deleted from its summary or from /history.\n\n"
    "<b>Take it with you:</b> /export sends all of it as files (JSON, a spreadsheet, and a "
    "journal to read or print).\n\n"
    "<b>Telegram:</b> chats with bots are Telegram cloud chats: encrypted on the way to "
    "Telegram's servers, but not end to end, and these messages stay in this chat until you "
    "delete them."
)
PRIVACY_ENCRYPTED = (
    ". On this server, the words you write (your glimmers and any body notes you type) are "
    "stored encrypted, so the file alone doesn't reveal them. The rest is stored as it is, "
    "so whoever can read the file could see it: which sense brought each glimmer, the body "
    "cue you picked, your ladder states (for example shut down), how much it landed, your "
    "stars, the time of everything, your time zone and your check-in settings."
)
PRIVACY_NOT_ENCRYPTED = (
    ". On this server the file is not encrypted by the bot, so whoever can read the server's "
    "disk could read it."
)

FORGET_ASK = (
    "<b>Delete everything?</b>\n\n"
    "This deletes, for good:\n"
    "• {glimmers}\n"
    "• your settings and check-in schedule\n"
    "• the record of check-ins I sent you\n"
    "• anything we were in the middle of\n\n"
    "It can't be undone. If you'd like a copy first, /export sends it all as files.\n\n"
    "The messages in this chat stay in Telegram until you clear the chat yourself, and "
    "backups made by whoever runs this bot are separate: ask them if you'd like those "
    "removed too."
)
FORGET_NO_GLIMMERS = "your glimmers (you have none yet)"
FORGET_GLIMMERS = Plural("your {count} glimmer", "all {count} of your glimmers")
FORGET_DONE = (
    "Done. Everything I kept about you is deleted. 🌱\n\n"
    "If you ever want to begin again, just send /start."
)
FORGET_KEPT = "Nothing deleted. Everything you've kept is still here."
FORGET_EXPIRED = "This question has expired, so nothing was deleted. Send /forget to ask again."
BUTTON_FORGET_YES = "Yes, delete everything"
BUTTON_FORGET_NO = "No, keep it"

EXPORT_WORKING = "Gathering everything you've kept… 📦"
EXPORT_JSON_CAPTION = "Everything, in full (JSON): every glimmer, every answer, your settings."
EXPORT_CSV_CAPTION = "One row per glimmer, for a spreadsheet."
EXPORT_JOURNAL_CAPTION = "Your journal, day by day, to read or print."
EXPORT_DONE = (
    "That's all of it: {count}. The files are yours to keep, share with your therapist, or delete."
)
EXPORT_DONE_WITH = (
    "Here they are: {count} with {words}. The files are yours to keep, share with your "
    "therapist, or delete. /export on its own takes everything."
)
EXPORT_NONE = "no glimmers yet, just your settings"

# --- /summary: for a therapist ----------------------------------------------------------------

REPORT_ASK = (
    "A summary of your glimmers, to share with your therapist if you like: a PDF to print or "
    "send, and the same as text to paste. Which stretch of time?"
)
BUTTON_REPORT = {"4w": "Last 4 weeks", "3m": "3 months", "1y": "A year", "all": "Everything"}
REPORT_CHOSEN = "A summary of your glimmers: {span}. Putting it together…"
REPORT_RESTING_POPUP = "Let's give the summaries a rest: try again in about {wait}."
REPORT_NONE = "There are no glimmers from that stretch of time yet, so there's nothing to sum up."
REPORT_CAPTION = "Your summary: {count}. Yours to print, send or keep."
REPORT_TEXT_INTRO = "The same as text, to paste into a message:"
REPORT_FAILED = "I couldn't put the summary together just now. Please try again in a while."
REPORT_TITLE = "Glimmers: a summary"
REPORT_SPAN = "{first} to {last}: {count} on {days}."
REPORT_SPAN_ONE_DAY = "{day}: {count}."
REPORT_DAYS = Plural("{count} day", "{count} days")
REPORT_ABOUT = (
    "These are the glimmers one person noticed and kept with a Telegram bot: small, everyday "
    "moments of safety and connection (Deb Dana's term, from polyvagal theory). They wrote "
    "every entry themselves, and chose to share this summary. It is a record of what they "
    "noticed, not a clinical assessment, and the bot draws no conclusions from it."
)
REPORT_PER_PERIOD = {
    "week": "Glimmers each week",
    "month": "Glimmers each month",
    "year": "Glimmers each year",
}
REPORT_PERIODS_TEXT = {
    "week": "Weeks starting {counts}",
    "month": "Months: {counts}",
    "year": "Years: {counts}",
}
REPORT_CHART_AXIS = "glimmers"
REPORT_BRINGS = "What brings them"
REPORT_SENSES = "Noticed through: {senses}."
REPORT_BODY = "Felt in the body as: {cues}."
REPORT_LADDER = "The ladder, before and after savouring"
REPORT_SAVOURED = Plural(
    "{savoured} glimmer savoured with the ladder question before and after; {closer} of "
    "them ended closer to safe and connected (or stayed there).",
    "{savoured} glimmers savoured with the ladder question before and after; {closer} of "
    "them ended closer to safe and connected (or stayed there).",
    by="savoured",
)
REPORT_SAVOURED_ONE_CLOSER = (
    "1 glimmer savoured with the ladder question before and after; it ended closer to safe "
    "and connected."
)
REPORT_SAVOURED_ONE_NOT = (
    "1 glimmer savoured with the ladder question before and after; it did not end closer to "
    "safe and connected."
)
REPORT_BEFORE = "Before: {states}."
REPORT_AFTER = "After: {states}."
REPORT_NO_LADDER = "No glimmers were savoured with the ladder questions in this time."
REPORT_STARRED = "Starred glimmers"
REPORT_SELECTION = "A few more, in their own words"
# A glimmer in the summary's lists, and a period's count in its text version.
REPORT_ENTRY = "{date}: {text}"
REPORT_PERIOD_COUNT = "{period}: {count}"
REPORT_FOOTER = "Glimmers summary, made {date}. Not a clinical assessment"

# --- Bringing a journal in (a file sent to the bot) -----------------------------------------

IMPORT_FOUND = (
    "I found <b>{count}</b> in this file ({source}), {first} to {last}.{skipped}\n\n"
    "Shall I bring them into your glimmers? Anything already here is left as it is."
)
# Where the file came from, in IMPORT_FOUND's brackets.
IMPORT_SOURCES = {
    "ours_json": "this bot's JSON export",
    "ours_csv": "this bot's spreadsheet export",
    "daylio": "a Daylio export",
    "presently": "a Presently export",
}
IMPORT_ENTRIES = Plural("{count} entry", "{count} entries")
IMPORT_SKIPPED = Plural(
    " {count} without any words will be left out.", " {count} without any words will be left out."
)
BUTTON_IMPORT_YES = "Bring them in"
BUTTON_IMPORT_NO = "Not now"
IMPORT_DONE = "Brought in: {added}. ✨ /history shows them among the rest."
IMPORT_DONE_ALREADY = "Brought in: {added}; {already} already here. ✨"
IMPORT_ALREADY = Plural("{count} was", "{count} were")
IMPORT_NOTHING_NEW = "Everything in that file was already here, so nothing changed."
IMPORT_NOT_NOW = "Alright, nothing was brought in. Send the file again whenever you like."
IMPORT_GONE = "That file has been put away. Send it again to bring it in."
IMPORT_FAILED = "I couldn't bring that in just now, so nothing changed. Please try again later."
IMPORT_DOWNLOAD_FAILED = "I couldn't open that file from Telegram just now. Please send it again."
IMPORT_RESTING = (
    "That's a few files in a short while, so let's give it a rest. You can send one again "
    "in about {wait}."
)
IMPORT_DAY_FULL_POPUP = "That's more than I can bring in today: try again in about {wait}."
IMPORT_NOTHING = "There are no entries in that file, so there's nothing to bring in."
IMPORT_MOOD = "Mood: {mood}"
IMPORT_TOO_BIG = (
    "That file is too big for me (5 MB at most). A journal export is usually much smaller; "
    "is it the right file?"
)
IMPORT_NOT_TEXT = (
    "I can't read that file: I take the JSON or CSV files that /export makes, and CSV "
    "exports from Daylio or Presently."
)
IMPORT_UNKNOWN = IMPORT_NOT_TEXT
IMPORT_TOO_MANY = Plural(
    "That file holds more than {most} entry, more than I can bring in at once.",
    "That file holds more than {most} entries, more than I can bring in at once.",
    by="most",
)
IMPORT_BAD_JSON = "That JSON file is damaged (it doesn't read as JSON), so nothing was brought in."
IMPORT_BAD_CSV = "That CSV file is damaged, so nothing was brought in."
IMPORT_EMPTY = "That file is empty."
IMPORT_BAD_ENTRY = (
    "Entry {number} in that file has a {what} I can't read, so nothing was brought in. "
    "Is the file as the app exported it?"
)
# The part of an entry IMPORT_BAD_ENTRY names.
IMPORT_WHAT = {
    "entry": "shape",
    "words": "text",
    "time": "time",
    "sense": "sense",
    "body cue": "body cue",
    "body note": "body note",
    "ladder before": "ladder answer (before)",
    "ladder after": "ladder answer (after)",
    "savouring": "savouring length",
    "landed": "“landed” answer",
    "star": "star",
}
IMPORT_BAD_ROW = (
    "Line {number} of that file doesn't have the columns the rest have, so nothing was brought in."
)
IMPORT_BAD_WHEN = (
    "Entry {number} in that file is dated before 1970 or in the future, which can't be "
    "right, so nothing was brought in. Is the date a typo?"
)
IMPORT_DAY_FULL = Plural(
    "That's more than I can bring in today: there's room for {room} more entry. "
    "You can bring this file in again in about {wait}; nothing changed meanwhile.",
    "That's more than I can bring in today: there's room for {room} more entries. "
    "You can bring this file in again in about {wait}; nothing changed meanwhile.",
    by="room",
)
IMPORT_BAD_DATE = (
    "Line {number} of that file has a date or time I can't read, so nothing was brought in."
)
EXPORT_GLIMMERS = Plural("{count} glimmer", "{count} glimmers")
EXPORT_FAILED = (
    "I'm sorry, I couldn't send the files just now. Nothing is lost: please try /export again "
    "in a little while."
)
EXPORT_CSV_HEADER = (
    "id",
    "local date",
    "local time",
    "UTC time",
    "glimmer",
    "sense",
    "body cue",
    "body note",
    "ladder before",
    "ladder after",
    "savoured (seconds)",
    "landed (1-5)",
    "starred",
)
EXPORT_YES = "yes"
EXPORT_JOURNAL_TITLE = "My glimmers"
# The files' names (day: as 2026-12-07), without their ending (.json, .csv, .md, .pdf).
EXPORT_FILE_NAME = "glimmers-{day}"
REPORT_FILE_NAME = "glimmers-summary-{day}.pdf"
EXPORT_JOURNAL_INTRO = "Exported on {date}: {count}. Times are in {zone}."
EXPORT_JOURNAL_EMPTY = "No glimmers yet. The first one is waiting to be noticed."
EXPORT_SENSE = "Sense"
EXPORT_BODY = "Body"
EXPORT_LADDER = "Ladder"
EXPORT_LANDED = "Landed {landed}/5"
# One detail of a glimmer in the journal: "Sense: Sound".
EXPORT_DETAIL = "{label}: {value}"

# --- For the people who run the bot -----------------------------------------------------------

STATS = (
    "<b>This bot, in numbers</b> (the last 7 days)\n\n"
    "People: {users}\n"
    "Kept a glimmer this week: {active_users}\n"
    "Glimmers this week: {glimmers_in_period} (all time: {glimmers_total})\n"
    "Check-ins sent: {checkins_sent}\n"
    "Check-ins not delivered: {checkins_failed}\n\n"
    "Counts only: never anyone's words or names."
)

# --- glimmers-bot try: the chat page's own pop-ups (sandbox/trial.py) ----------------------

TRIAL_PAUSE_OVER = "The pause is over."
TRIAL_NO_PAUSE = "No savouring pause is running."
TRIAL_NOTHING_SCHEDULED = "Nothing is scheduled yet: send /start first."
TRIAL_CHECKIN_TIME = "It's check-in time."
TRIAL_RECAP_TIME = "It's Sunday's recap."
TRIAL_BUTTON_GONE = "That button is gone."

# Reading texts.NAME gives NAME in the language of whoever the bot is speaking with now
# (bot/ui/language.py). Keep this line last.
sys.modules[__name__].__class__ = Spoken
