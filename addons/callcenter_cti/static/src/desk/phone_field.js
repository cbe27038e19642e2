import {useState} from "@odoo/owl";
import {patch} from "@web/core/utils/patch";
import {PhoneField} from "@web/views/fields/phone/phone_field";

patch(PhoneField.prototype, {
    setup() {
        super.setup(...arguments);
        // Optional: fields also render where the desk service is absent (e.g. public pages).
        this.ccDesk = this.env.services.callcenter_desk;
        this.ccDeskState = this.ccDesk ? useState(this.ccDesk.state) : null;
    },

    get showCcDial() {
        return Boolean(
            this.ccDeskState?.agent && this.props.record.data[this.props.name]
        );
    },

    onCcDial() {
        const {record, name} = this.props;
        return this.ccDesk.dial(
            record.data[name],
            record.resModel,
            record.resId || false
        );
    },
});
