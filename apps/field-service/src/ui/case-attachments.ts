import type { OfflineWebApi } from "@xrm-offline/webapi";
import { h, mount } from "./dom.ts";
import { canvasPng, downscaleImage, type EncodedImage } from "./image-downscale.ts";
import { signaturePad } from "./signature-pad.ts";

interface NoteRow {
  readonly id: string;
  readonly subject: string;
  readonly filename: string;
  readonly mimetype: string;
}

async function listNotes(api: OfflineWebApi, caseId: string): Promise<NoteRow[]> {
  const r = await api.retrieveMultipleRecords(
    "annotation",
    `?$select=subject,filename,mimetype&$filter=_objectid_value eq ${caseId}&$orderby=createdon desc`,
  );
  return r.entities.map((n) => ({
    id: String(n.annotationid ?? ""),
    subject: String(n.subject ?? ""),
    filename: String(n.filename ?? ""),
    mimetype: String(n.mimetype ?? ""),
  }));
}

/** A note with an attachment, regarding the case: a plain record write (the outbox sends it later). */
function saveNote(
  api: OfflineWebApi,
  caseId: string,
  subject: string,
  filename: string,
  image: EncodedImage,
) {
  return api.createRecord("annotation", {
    subject,
    filename,
    mimetype: image.mimetype,
    documentbody: image.base64,
    isdocument: true,
    "objectid_incident@odata.bind": `/incidents(${caseId})`,
  });
}

function stamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
}

/**
 * Photos and a signature on a case, offline: photos are downscaled before they are stored; both are
 * saved as notes with attachments (annotation + documentbody) and sent with the other changes.
 */
export async function renderCaseAttachments(
  root: HTMLElement,
  api: OfflineWebApi,
  caseId: string,
  onSaved: () => Promise<void>,
): Promise<void> {
  const list = h("ul", { class: "list", "data-testid": "note-list" });
  const refresh = async () => {
    const notes = await listNotes(api, caseId).catch(() => []);
    mount(
      list,
      notes.length === 0
        ? h("li", { class: "muted", "data-testid": "note-list-empty" }, "No photos or signature yet.")
        : notes.map((n) =>
            h(
              "li",
              { "data-testid": "note-item", "data-id": n.id, "data-mimetype": n.mimetype },
              h("span", { class: "title" }, n.subject),
              h("span", { class: "muted small" }, n.filename),
            ),
          ),
    );
  };
  const result = h("p", { class: "outcome", role: "status", "data-testid": "attachment-result" });
  const photo = h("input", {
    type: "file",
    accept: "image/*",
    capture: "environment",
    id: "case-photo",
    class: "visually-hidden-file",
    "data-testid": "case-photo-input",
  });
  photo.addEventListener("change", async () => {
    const file = photo.files?.[0];
    if (!file) return;
    result.textContent = "Preparing the photo…";
    try {
      const image = await downscaleImage(file);
      await saveNote(api, caseId, "Photo", `photo-${stamp()}.jpg`, image);
      result.textContent = `Photo saved on this device (${Math.round(image.bytes / 1024)} KB, ${image.width}×${image.height}). It is sent with your other changes.`;
      result.dataset.outcome = "ok";
      await onSaved();
    } catch {
      result.textContent = "That file couldn't be read as a photo. Try another one.";
      result.dataset.outcome = "error";
    } finally {
      photo.value = "";
      await refresh();
    }
  });
  const pad = signaturePad("signature");
  const saveSignature = h(
    "button",
    { type: "button", class: "primary", "data-testid": "signature-save" },
    "Save signature",
  );
  saveSignature.addEventListener("click", async () => {
    if (!pad.isSigned()) {
      result.textContent = "Sign in the box (or type the name) first.";
      result.dataset.outcome = "error";
      return;
    }
    saveSignature.disabled = true;
    try {
      await saveNote(api, caseId, "Signature", `signature-${stamp()}.png`, await canvasPng(pad.canvas));
      pad.clear();
      result.textContent = "Signature saved on this device. It is sent with your other changes.";
      result.dataset.outcome = "ok";
      await onSaved();
    } catch {
      result.textContent = "The signature couldn't be saved. Try again.";
      result.dataset.outcome = "error";
    } finally {
      saveSignature.disabled = false;
      await refresh();
    }
  });
  mount(
    root,
    h(
      "section",
      { class: "card", "aria-labelledby": "attachments-heading", "data-testid": "case-attachments" },
      h("h2", { id: "attachments-heading" }, "Photos and signature"),
      list,
      photo,
      h("label", { class: "button file-button", for: "case-photo" }, "Take or add a photo"),
      h("h3", {}, "Customer's signature"),
      pad.el,
      h("div", { class: "actions" }, saveSignature),
      result,
    ),
  );
  await refresh();
}
