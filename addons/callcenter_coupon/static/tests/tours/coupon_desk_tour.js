import {registry} from "@web/core/registry";

// Labels are matched by name or colour, not text: the tour runs in English and Chinese.
// The Python side (tests/test_desk_tour.py) opens the call desk of a call with 张伟, who holds the coupon
// CCTOUR50, then checks that a coupon was issued from the wizard.
registry.category("web_tour.tours").add("callcenter_coupon_desk", {
    steps: () => [
        {
            content: "Open the desk's Coupons page",
            trigger: ".o_form_view .o_notebook a.nav-link[name=coupons]",
            run: "click",
        },
        {
            content: "The caller's coupons are listed",
            trigger: "div[name=cc_partner_coupon_ids] td:contains(CCTOUR50)",
        },
        {
            content: "Type the code the customer reads out",
            trigger: "div[name=cc_coupon_code] input",
            run: "edit CCTOUR50 && click .o_form_view .oe_title",
        },
        {
            content: "The code is valid…",
            trigger: "div[name=cc_coupon_check_state] .text-bg-success",
        },
        {
            content: "…with its program",
            trigger: "div[name=cc_coupon_check_info]:contains(满200减50)",
        },
        {
            content: "An unknown code",
            trigger: "div[name=cc_coupon_code] input",
            run: "edit NOPE-0000 && click .o_form_view .oe_title",
        },
        {
            content: "is said unknown",
            trigger: "div[name=cc_coupon_check_state] .text-bg-danger",
        },
        {
            content: "Issue a coupon to the caller",
            trigger: "button[name=action_cc_issue_coupon]",
            run: "click",
        },
        {
            content: "Choose the program",
            trigger: ".modal div[name=program_id] input",
            run: "edit 满200减50",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(满200减50)",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal div[name=reason] input",
            run: "edit Tour goodwill",
        },
        {
            content: "Issue",
            trigger: ".modal button[name=action_issue]",
            run: "click",
        },
        {
            content: "The wizard closes on the notification of the codes",
            trigger: "body:not(:has(.modal)) .o_notification",
        },
        {
            content: "Open the customer",
            trigger: "button[name=action_cc_open_partner]",
            run: "click",
        },
        {
            content: "The smart button counts 2 available of 2",
            trigger:
                "button[name=action_cc_view_coupons] .o_stat_value:contains(2 / 2)",
        },
        {
            content: "The customer's Coupons page",
            trigger: ".o_form_view .o_notebook a.nav-link[name=cc_coupons]",
            run: "click",
        },
        {
            content: "…lists the history, the seeded coupon included",
            trigger: "div[name=cc_coupon_card_ids] td:contains(CCTOUR50)",
        },
        {
            content: "…and the coupon just issued",
            trigger: "div[name=cc_coupon_card_ids] td:contains(Tour goodwill)",
        },
    ],
});
