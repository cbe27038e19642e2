import {registry} from "@web/core/registry";

// The Python side (tests/test_desk_tour.py) replays a recorded call while these tours wait: the popup
// appears when the agent's phone rings, the call desk opens when the agent answers.
registry.category("web_tour.tours").add("callcenter_desk_screen_pop", {
    steps: () => [
        {
            content:
                "The agent's desk is loaded (the replay starts once the bus listens)",
            trigger: ".o_cc_agent_systray .o_cc_agent_badge",
        },
        {
            content: "Open the agent menu",
            trigger: ".o_cc_agent_systray_toggle",
            run: "click",
        },
        {
            content: "Log in to every queue",
            trigger: ".o_cc_login_all",
            run: "click",
        },
        {
            content: "The login is on its way to the PBX",
            trigger: ".o_notification_content:contains(Logging in to support)",
        },
        {
            content: "The phone rings: the popup shows the caller's number",
            trigger: ".o_cc_screen_pop .o_cc_pop_number:contains(+15551230001)",
        },
        {
            content: "…and the queue the call came through",
            trigger: ".o_cc_screen_pop .o_cc_pop_queue",
        },
        {
            content: "…and its history, fetched after the first render",
            trigger: ".o_cc_screen_pop:not(:has(.o_cc_pop_loading))",
        },
        {
            content: "The matched customer: open it (the replay then answers the call)",
            trigger: ".o_cc_screen_pop .o_cc_pop_partner:contains(Alice Example)",
            run: "click",
        },
        {
            content: "Answered: the popup is gone and the call desk is open",
            trigger: ".o_form_view.o_cc_call_desk",
        },
        {
            trigger: "body:not(:has(.o_cc_screen_pop))",
        },
    ],
});

registry.category("web_tour.tours").add("callcenter_desk_click_to_dial", {
    steps: () => [
        {
            content: "The agent's desk is loaded",
            trigger: ".o_cc_agent_systray .o_cc_agent_badge",
        },
        {
            content: "Click-to-dial from the customer's phone field",
            trigger: ".o_field_phone .o_cc_dial",
            run: "click",
        },
        {
            content: "The desk says the agent's phone rings first",
            trigger: ".o_notification_content:contains(your phone rings first)",
        },
    ],
});
