import type { OfflineWebApi } from "@xrm-offline/webapi";
import { h, mount } from "./dom.ts";
import { field, outcomeLine, prioritySelect } from "./form-fields.ts";
import { recordPicker } from "./record-picker.ts";
import { searchAccounts, searchContacts } from "./records.ts";

/**
 * A new case: the customer is set with `customerid_account@odata.bind`, the contact with the
 * lookup object. Both are found by typing (the store answers the first matches).
 */
export async function renderNewCase(
  root: HTMLElement,
  api: OfflineWebApi,
  navigate: (hash: string) => void,
  onSaved: () => Promise<void>,
): Promise<void> {
  const title = h("input", { type: "text", "data-testid": "new-case-title", required: true });
  const description = h("textarea", { rows: 3, "data-testid": "new-case-description" });
  const priority = prioritySelect("new-case-priority", 2);
  const customer = recordPicker({
    testId: "new-case-customer",
    label: "Customer",
    search: (text, pageSize, next) => searchAccounts(api, text, pageSize, next),
  });
  const contact = recordPicker({
    testId: "new-case-contact",
    label: "Contact",
    search: (text, pageSize, next) => searchContacts(api, text, pageSize, next),
  });
  const result = outcomeLine("new-case-result");
  const create = h(
    "button",
    { type: "submit", class: "primary", "data-testid": "new-case-save" },
    "Create case",
  );
  const form = h(
    "form",
    { class: "card", "data-testid": "new-case-form" },
    h(
      "div",
      { class: "card-head" },
      h("h2", {}, "New case"),
      h("a", { href: "#/", class: "tap" }, "← All work"),
    ),
    field("Title", title),
    field("Description", description),
    field("Priority", priority),
    customer.el,
    contact.el,
    h("div", { class: "actions" }, create),
    result.el,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    create.disabled = true;
    const data: Record<string, unknown> = {
      title: title.value,
      description: description.value,
      prioritycode: Number(priority.value),
    };
    const customerId = customer.value();
    const contactId = contact.value();
    // The @odata.bind form, and the lookup object form.
    if (customerId) data["customerid_account@odata.bind"] = `/accounts(${customerId})`;
    if (contactId) data.primarycontactid = { logicalname: "contact", id: contactId };
    try {
      const created = await api.createRecord("incident", data);
      await onSaved();
      result.ok("Case created on this device");
      result.el.dataset.id = created.id;
      navigate(`#/case/${created.id}`);
    } catch (e) {
      result.fail(e, "The case couldn't be saved on this device. Check the title and try again.");
    } finally {
      create.disabled = false;
    }
  });
  mount(root, form);
}
