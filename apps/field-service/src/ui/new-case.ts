import type { OfflineWebApi } from "@xrm-offline/webapi";
import { errorOf, h, hexCode, mount } from "./dom.ts";
import { field, outcomeLine, prioritySelect, recordSelect } from "./form-fields.ts";
import { listAccounts, listContacts } from "./records.ts";

/**
 * A new case: the customer is set with `customerid_account@odata.bind`, the contact with the
 * lookup object. "New customer too" tries a deep insert, which offline refuses with an error.
 */
export async function renderNewCase(
  root: HTMLElement,
  api: OfflineWebApi,
  navigate: (hash: string) => void,
): Promise<void> {
  const [accounts, contacts] = await Promise.all([
    listAccounts(api).catch(() => []),
    listContacts(api).catch(() => []),
  ]);
  const title = h("input", { type: "text", "data-testid": "new-case-title", required: true });
  const description = h("textarea", { rows: 3, "data-testid": "new-case-description" });
  const priority = prioritySelect("new-case-priority", 2);
  const customer = recordSelect("new-case-customer", accounts, accounts[0]?.id ?? null, "(no customer)");
  const contact = recordSelect("new-case-contact", contacts, null, "(no contact)");
  const result = outcomeLine("new-case-result");
  const create = h(
    "button",
    { type: "submit", class: "primary", "data-testid": "new-case-save" },
    "Create case",
  );

  const newCustomer = h("input", {
    type: "text",
    placeholder: "New customer name",
    "data-testid": "deep-insert-name",
  });
  const deepResult = outcomeLine("deep-insert-error");
  const deepInsert = h(
    "button",
    { type: "button", "data-testid": "deep-insert-try" },
    "Create with a new customer",
  );

  const form = h(
    "form",
    { class: "card", "data-testid": "new-case-form" },
    h("div", { class: "card-head" }, h("h2", {}, "New case"), h("a", { href: "#/" }, "← All work")),
    field("Title", title),
    field("Description", description),
    field("Priority", priority),
    field("Customer", customer),
    field("Contact", contact),
    h("div", { class: "actions" }, create),
    result.el,
    h(
      "fieldset",
      { class: "deep" },
      h("legend", {}, "Deep insert"),
      h(
        "p",
        { class: "muted small" },
        "Creating the customer inside the case (a deep insert) needs the server: offline it is refused.",
      ),
      h("div", { class: "inline" }, newCustomer, deepInsert),
      deepResult.el,
    ),
  );
  const base = (): Record<string, unknown> => {
    const data: Record<string, unknown> = {
      title: title.value,
      description: description.value,
      prioritycode: Number(priority.value),
    };
    // The lookup object form.
    if (contact.value) data.primarycontactid = { logicalname: "contact", id: contact.value };
    return data;
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    create.disabled = true;
    const data = base();
    // The @odata.bind form.
    if (customer.value) data["customerid_account@odata.bind"] = `/accounts(${customer.value})`;
    try {
      const created = await api.createRecord("incident", data);
      result.ok("Case created on this device");
      result.el.dataset.id = created.id;
      navigate(`#/case/${created.id}`);
    } catch (e) {
      const err = errorOf(e);
      result.fail(err, hexCode(err.errorCode));
    } finally {
      create.disabled = false;
    }
  });
  deepInsert.addEventListener("click", async () => {
    const data = base();
    // Deep insert: a nested record instead of a reference.
    data.customerid_account = { name: newCustomer.value || "New customer" };
    try {
      const created = await api.offline.createRecord("incident", data);
      deepResult.ok(`Unexpectedly created ${created.id}`);
    } catch (e) {
      const err = errorOf(e);
      deepResult.fail(err, hexCode(err.errorCode));
    }
  });
  mount(root, form);
}
