import type { OfflineWebApi, SyncStatus } from "@xrm-offline/webapi";
import { h, mount } from "./dom.ts";
import { canvasPng, downscaleImage, type EncodedImage } from "./image-downscale.ts";
import { type SendState, sendStates } from "./inspect-store.ts";
import { sendStateText } from "./send-state-text.ts";
import { signaturePad } from "./signature-pad.ts";
import { uploadPercents } from "./upload-progress.ts";

interface NoteRow {
  readonly id: string;
  readonly subject: string;
  readonly filename: string;
  readonly mimetype: string;
  /** A `data:` URL of the attached picture, when the note carries one this device can show. */
  readonly picture: string | null;
}

const PICTURE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/** The case's notes, bodies included: the pictures are shown from this device's copy. */
async function listNotes(api: OfflineWebApi, caseId: string): Promise<NoteRow[]> {
  const r = await api.retrieveMultipleRecords(
    "annotation",
    `?$select=subject,filename,mimetype,documentbody&$filter=_objectid_value eq ${caseId}&$orderby=createdon desc`,
  );
  return r.entities.map((n) => {
    const mimetype = String(n.mimetype ?? "");
    const body = typeof n.documentbody === "string" ? n.documentbody : "";
    return {
      id: String(n.annotationid ?? ""),
      subject: String(n.subject ?? ""),
      filename: String(n.filename ?? ""),
      mimetype,
      picture: body && PICTURE_TYPES.has(mimetype) ? `data:${mimetype};base64,${body}` : null,
    };
  });
}

/** A modal view of one picture (Escape or Close ends it; focus returns to the View button). */
function pictureViewer(): { el: HTMLDialogElement; show(note: NoteRow, from: HTMLElement): void } {
  const image = h("img", { alt: "", class: "viewer-image", "data-testid": "note-viewer-image" });
  const caption = h("p", { id: "note-viewer-caption" });
  const close = h("button", { type: "button", "data-testid": "note-viewer-close" }, "Close");
  const el = h(
    "dialog",
    { class: "viewer", "aria-labelledby": "note-viewer-caption", "data-testid": "note-viewer" },
    caption,
    image,
    h("div", { class: "actions" }, close),
  );
  let opener: HTMLElement | null = null;
  close.addEventListener("click", () => el.close());
  el.addEventListener("close", () => opener?.focus());
  return {
    el,
    show(note, from) {
      opener = from;
      image.src = note.picture ?? "";
      image.alt = `${note.subject}: ${note.filename}`;
      caption.textContent = `${note.subject} · ${note.filename}`;
      el.showModal();
      close.focus();
    },
  };
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
  databaseName: string,
  onSaved: () => Promise<void>,
): Promise<void> {
  const list = h("ul", { class: "list notes", "data-testid": "note-list" });
  const viewer = pictureViewer();
  let shown: string[] = [];
  // The engine's latest `status$.uploads`: the bytes of each note body on its way.
  let uploads: SyncStatus["uploads"] = [];
  // Each note's way to the server, redrawn when the sync status moves (main.ts sends
  // "syncstatus" to every element marked data-follows-sync, upload progress included).
  const showStates = async () => {
    const states = shown.length === 0 ? null : await sendStates(databaseName, "annotation", shown);
    const percents = uploadPercents(uploads, "annotation");
    for (const item of Array.from(list.querySelectorAll<HTMLElement>("[data-testid=note-item]"))) {
      const id = item.dataset.id ?? "";
      let state: SendState | undefined = states?.get(id);
      const line = item.querySelector<HTMLElement>("[data-testid=note-send-state]");
      if (!state || !line) continue;
      // Listed in status$.uploads: its round has started (every note of a round is listed from
      // the start, at 0 bytes), even if the in-flight marker wasn't read yet. Sent and failed,
      // read from the store, win: the list may lag behind by one status.
      const percent = state === "waiting" || state === "sending" ? percents.get(id) : undefined;
      if (percent !== undefined) state = "sending";
      item.dataset.sendState = state;
      if (percent === undefined) delete item.dataset.percent;
      else item.dataset.percent = String(Math.floor(percent));
      line.textContent = sendStateText(state, percent);
    }
  };
  const refresh = async () => {
    const notes = await listNotes(api, caseId).catch(() => []);
    shown = notes.map((n) => n.id);
    mount(
      list,
      notes.length === 0
        ? h("li", { class: "muted", "data-testid": "note-list-empty" }, "No photos or signature yet.")
        : notes.map((n) => {
            const view = n.picture
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "thumb",
                    "data-testid": "note-view",
                    "aria-label": `View ${n.subject.toLowerCase()} ${n.filename}`,
                  },
                  h("img", { src: n.picture, alt: "", width: 56, height: 56, "data-testid": "note-thumb" }),
                )
              : null;
            view?.addEventListener("click", () => viewer.show(n, view));
            return h(
              "li",
              { "data-testid": "note-item", "data-id": n.id, "data-mimetype": n.mimetype },
              view,
              h(
                "span",
                { class: "note-text" },
                h("span", { class: "title" }, n.subject),
                h("span", { class: "muted small" }, n.filename),
                h("span", { class: "small send-state", "data-testid": "note-send-state" }),
              ),
            );
          }),
    );
    await showStates();
  };
  // While a sync runs, the in-flight request changes without a status event: look again every
  // 400 ms until the engine is idle or the case is left.
  let watching: ReturnType<typeof setInterval> | undefined;
  const stopWatching = () => {
    clearInterval(watching);
    watching = undefined;
  };
  root.dataset.followsSync = "true";
  root.addEventListener("syncstatus", (ev) => {
    const status = (ev as CustomEvent<SyncStatus | undefined>).detail;
    const phase = status?.phase;
    uploads = status?.uploads ?? [];
    void showStates();
    if (phase === "idle") stopWatching();
    else
      watching ??= setInterval(() => {
        if (!root.isConnected) stopWatching();
        else void showStates();
      }, 400);
  });
  const result = h("p", { class: "outcome", role: "status", "data-testid": "attachment-result" });
  const photo = h("input", {
    type: "file",
    accept: "image/*",
    capture: "environment",
    id: "case-photo",
    class: "visually-hidden-file",
    "data-testid": "case-photo-input",
  });
  /** What the line under the buttons says; `reason` tells a test which failure it was. */
  const outcome = (text: string, reason?: "unreadable" | "not-saved" | "unsigned") => {
    result.textContent = text;
    result.dataset.outcome = reason ? "error" : "ok";
    if (reason) result.dataset.reason = reason;
    else delete result.dataset.reason;
  };
  /**
   * After a note is stored: the status bar counts it first (its count may lag otherwise), then the
   * form says "saved". A failing count changes nothing about the note, which is saved.
   */
  const saved = async (text: string) => {
    await onSaved().catch(() => {});
    outcome(text);
  };
  photo.addEventListener("change", async () => {
    const file = photo.files?.[0];
    if (!file) return;
    result.textContent = "Preparing the photo…";
    delete result.dataset.outcome;
    delete result.dataset.reason;
    try {
      let image: EncodedImage;
      try {
        image = await downscaleImage(file);
      } catch {
        outcome("That file couldn't be read as a photo. Try another one.", "unreadable");
        return;
      }
      try {
        await saveNote(api, caseId, "Photo", `photo-${stamp()}.jpg`, image);
      } catch {
        outcome("The photo couldn't be saved on this device. Try again.", "not-saved");
        return;
      }
      await saved(
        `Photo saved on this device (${Math.round(image.bytes / 1024)} KB, ${image.width}×${image.height}). It is sent with your other changes.`,
      );
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
      outcome("Sign in the box (or type the name) first.", "unsigned");
      return;
    }
    saveSignature.disabled = true;
    try {
      try {
        await saveNote(api, caseId, "Signature", `signature-${stamp()}.png`, await canvasPng(pad.canvas));
      } catch {
        outcome("The signature couldn't be saved. Try again.", "not-saved");
        return;
      }
      pad.clear();
      await saved("Signature saved on this device. It is sent with your other changes.");
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
      viewer.el,
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
