import type { OfflineWebApi } from "@xrm-offline/webapi";
import { errorOf, h, hexCode, mount } from "./dom.ts";
import { field, outcomeLine, prioritySelect, recordSelect } from "./form-fields.ts";
import { getCase, listAccounts, listContacts, listTasks, nameMap, nameOf } from "./records.ts";

/**
 * One case: edit it (the contact is set with the lookup object form
 * `{ logicalname: "contact", id }`), and log tasks regarding it (set with `@odata.bind`).
 */
export async function renderCaseDetail(root: HTMLElement, api: OfflineWebApi, id: string): Promise<void> {
  let record: Awaited<ReturnType<typeof getCase>>;
  let contacts: Awaited<ReturnType<typeof listContacts>>;
  let accounts: Awaited<ReturnType<typeof listAccounts>>;
  try {
    [record, contacts, accounts] = await Promise.all([
      getCase(api, id),
      listContacts(api),
      listAccounts(api),
    ]);
  } catch (e) {
    const err = errorOf(e);
    mount(
      root,
      h("p", { class: "error", "data-testid": "load-error" }, `${hexCode(err.errorCode)} ${err.message}`),
      h("a", { href: "#/" }, "Back to the list"),
    );
    return;
  }
  const title = h("input", {
    type: "text",
    value: record.title,
    "data-testid": "case-title",
    required: true,
  });
  const description = h("textarea", { rows: 3, "data-testid": "case-description" }, record.description);
  const priority = prioritySelect("case-priority", record.prioritycode);
  const contact = recordSelect("case-contact", contacts, record.contactId, "(no contact)");
  const saved = outcomeLine("case-save-result");
  const save = h("button", { type: "submit", class: "primary", "data-testid": "case-save" }, "Save");
  const form = h(
    "form",
    { class: "card", "data-testid": "case-form", "data-id": record.id },
    h(
      "div",
      { class: "card-head" },
      h("h2", {}, "Case"),
      h("a", { href: "#/", "data-testid": "back" }, "← All work"),
    ),
    h(
      "p",
      { class: "muted" },
      "Customer: ",
      h("span", { "data-testid": "case-customer" }, nameOf(nameMap(accounts), record.customerId)),
    ),
    field("Title", title),
    field("Description", description),
    field("Priority", priority),
    field("Contact", contact),
    h("div", { class: "actions" }, save),
    saved.el,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    const data: Record<string, unknown> = {
      title: title.value,
      description: description.value,
      prioritycode: Number(priority.value),
    };
    if (contact.value && contact.value.toLowerCase() !== record.contactId?.toLowerCase()) {
      // The lookup object form, as Xrm.WebApi.offline accepts it.
      data.primarycontactid = { logicalname: "contact", id: contact.value };
    }
    try {
      await api.updateRecord("incident", record.id, data);
      saved.ok("Saved on this device");
    } catch (e) {
      const err = errorOf(e);
      saved.fail(err, hexCode(err.errorCode));
    } finally {
      save.disabled = false;
    }
  });

  const tasksList = h("ul", { class: "list", "data-testid": "case-task-list" });
  const refreshTasks = async () => {
    const tasks = await listTasks(api, record.id).catch(() => []);
    mount(
      tasksList,
      tasks.map((t) =>
        h(
          "li",
          { "data-testid": "case-task-item", "data-id": t.id },
          h("span", { class: "title" }, t.subject),
        ),
      ),
    );
  };
  const subject = h("input", {
    type: "text",
    placeholder: "What needs doing?",
    "data-testid": "task-subject",
    required: true,
  });
  const added = outcomeLine("task-add-result");
  const addTask = h("button", { type: "submit", "data-testid": "task-add" }, "Log task");
  const taskForm = h(
    "form",
    { class: "card" },
    h("h2", {}, "Tasks for this case"),
    tasksList,
    h("div", { class: "inline" }, subject, addTask),
    added.el,
  );
  taskForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    addTask.disabled = true;
    try {
      const created = await api.createRecord("task", {
        subject: subject.value,
        // The @odata.bind form of a (polymorphic) lookup.
        "regardingobjectid_incident_task@odata.bind": `/incidents(${record.id})`,
      });
      subject.value = "";
      added.ok("Task logged");
      added.el.dataset.id = created.id;
      await refreshTasks();
    } catch (e) {
      const err = errorOf(e);
      added.fail(err, hexCode(err.errorCode));
    } finally {
      addTask.disabled = false;
    }
  });
  mount(root, form, taskForm);
  await refreshTasks();
}
