"""Voice menus configured in Odoo and walked by the dialplan through FastAGI (``ivr`` requests).

The dialplan ([ivr-odoo], asterisk/extensions.conf) asks ``AGI(agi://HOST/ivr,<menu id>,<input>,<tries>)``:
``<input>`` is ``enter`` when it arrives at a menu, else the digit the caller pressed (empty: nothing
before the timeout). The answer is the ``CC_IVR_*`` variables: play a menu's prompt and read a digit,
retry, or an action (queue, agent, voicemail, external number, hang up after a message). Pure Python, no
Odoo: the menus are part of the routing snapshot, so a step costs a dict lookup, and a change made in Odoo
applies to the next call.
"""

import dataclasses

VARIABLES = ("CC_IVR_ACTION", "CC_IVR_TARGET", "CC_IVR_PROMPT", "CC_IVR_TIMEOUT", "CC_IVR_MENU_ID")
ACTIONS = ("menu", "queue", "agent", "voicemail", "number", "hangup")


@dataclasses.dataclass(frozen=True)
class Option:
    action: str  # one of ACTIONS
    target: str = ""  # menu id, queue name, agent interface, mailbox, number
    prompt: str = ""  # played before the action (a hang-up message, "transferring you …")


@dataclasses.dataclass(frozen=True)
class Menu:
    prompt: str
    timeout: int = 5  # seconds to wait for a digit
    retries: int = 3  # timeouts or wrong digits before the fallback
    invalid_prompt: str = ""
    options: dict = dataclasses.field(default_factory=dict)  # digit -> Option
    fallback: Option = Option("queue")  # after the retries: the DID's queue by default


def step(menus, menu_id, entry, tries=0):
    """The CC_IVR_* answer for the caller at ``menu_id`` who did ``entry`` (``enter``, a digit, '')."""
    menu = menus.get(menu_id)
    if menu is None:  # deleted meanwhile: the caller is not stuck, they go to the queue
        return _answer("queue")
    if entry == "enter":
        return _play(menu_id, menu)
    option = menu.options.get(entry)
    if option is not None:
        return _choose(menus, option)
    if tries + 1 >= menu.retries:
        return _choose(menus, menu.fallback)
    return _answer("retry", prompt=menu.invalid_prompt, menu_id=menu_id, timeout=menu.timeout)


def _play(menu_id, menu):
    return _answer("play", prompt=menu.prompt, menu_id=menu_id, timeout=menu.timeout)


def _choose(menus, option):
    if option.action == "menu":
        submenu = menus.get(option.target)
        return _play(option.target, submenu) if submenu else _answer("queue")
    return _answer(option.action, target=option.target, prompt=option.prompt)


def _answer(action, target="", prompt="", menu_id="", timeout=0):
    return {
        "CC_IVR_ACTION": action,
        "CC_IVR_TARGET": target,
        "CC_IVR_PROMPT": prompt,
        "CC_IVR_TIMEOUT": str(timeout) if timeout else "",
        "CC_IVR_MENU_ID": menu_id,
    }


def decide(request, directory, _now=None):
    """``step`` for an AGI request: agi_arg_1 = menu id, agi_arg_2 = entry, agi_arg_3 = tries so far."""
    menus = getattr(directory, "menus", None) or {}
    tries = (request.get("agi_arg_3") or "0").strip()
    entry = (request.get("agi_arg_2") or "").strip()
    return step(menus, (request.get("agi_arg_1") or "").strip(), entry, int(tries) if tries.isdigit() else 0)
