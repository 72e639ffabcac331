import type { OfflineWebApi } from "@xrm-offline/webapi";
import { renderCaseAttachments } from "./case-attachments.ts";
import { h, mount } from "./dom.ts";
import { field, outcomeLine, prioritySelect } from "./form-fields.ts";
import { recordPicker } from "./record-picker.ts";
import { getCase, listTasks, searchContacts } from "./records.ts";

/**
 * One case: edit it (the contact is set with the lookup object form
 * `{ logicalname: "contact", id }`), log tasks regarding it (set with `@odata.bind`), and add
 * photos and a signature.
 */
export async function renderCaseDetail(
  root: HTMLElement,
  api: OfflineWebApi,
  id: string,
  databaseName: string,
  onSaved: () => Promise<void>,
): Promise<void> {
  let record: Awaited<ReturnType<typeof getCase>>;
  try {
    record = await getCase(api, id);
  } catch {
    mount(
      root,
      h(
        "p",
        { class: "error", "data-testid": "load-error" },
        "This case isn't on this device (it may have been closed or deleted).",
      ),
      h("a", { href: "#/", class: "tap" }, "Back to the list"),
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
  const contact = recordPicker({
    testId: "case-contact",
    label: "Contact",
    search: (text, pageSize, next) => searchContacts(api, text, pageSize, next),
    value: record.contactId
      ? { id: record.contactId, name: record.contactName ?? "Contact not on this device yet" }
      : null,
  });
  const saved = outcomeLine("case-save-result");
  const save = h("button", { type: "submit", class: "primary", "data-testid": "case-save" }, "Save");
  const form = h(
    "form",
    { class: "card", "data-testid": "case-form", "data-id": record.id },
    h(
      "div",
      { class: "card-head" },
      h("h2", {}, "Case"),
      h("a", { href: "#/", "data-testid": "back", class: "tap" }, "← All work"),
    ),
    h(
      "p",
      { class: "muted" },
      "Customer: ",
      h(
        "span",
        { "data-testid": "case-customer" },
        record.customerName ?? (record.customerId ? "not on this device yet" : "none"),
      ),
    ),
    field("Title", title),
    field("Description", description),
    field("Priority", priority),
    contact.el,
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
    const contactId = contact.value();
    if (contactId && contactId.toLowerCase() !== record.contactId?.toLowerCase()) {
      // The lookup object form, as Xrm.WebApi.offline accepts it.
      data.primarycontactid = { logicalname: "contact", id: contactId };
    }
    try {
      await api.updateRecord("incident", record.id, data);
      await onSaved();
      saved.ok("Saved on this device");
    } catch (e) {
      saved.fail(e, "The changes couldn't be saved on this device. Try again.");
    } finally {
      save.disabled = false;
    }
  });

  const tasksList = h("ul", { class: "list", "data-testid": "case-task-list" });
  const refreshTasks = async () => {
    const tasks = await listTasks(api, undefined, record.id).catch(() => ({ rows: [], next: null }));
    mount(
      tasksList,
      tasks.rows.map((t) =>
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
    id: "task-subject",
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
    h("label", { for: "task-subject", class: "sr-only" }, "New task"),
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
      await onSaved();
      subject.value = "";
      added.ok("Task logged");
      added.el.dataset.id = created.id;
      await refreshTasks();
    } catch (e) {
      added.fail(e, "The task couldn't be saved on this device. Try again.");
    } finally {
      addTask.disabled = false;
    }
  });
  const attachments = h("div", {});
  mount(root, form, taskForm, attachments);
  await Promise.all([
    refreshTasks(),
    renderCaseAttachments(attachments, api, record.id, databaseName, onSaved),
  ]);
}
