// Form library (web resource new_/scripts/offline-form.js). Add new_/xrm-offline.min.js to the
// form's libraries above it, or as a dependency of this web resource, so XrmOffline is loaded first.
var Contoso = window.Contoso || {};
Contoso.OfflineForm = (() => {
  var api; // one per page: forms of the same app session share it and its database

  function offlineApi() {
    // No serverUrl, no token: the org's Web API on this origin, authenticated by the session.
    api = api || XrmOffline.createWebApi({ offlineTables: ["account", "contact", "task"] });
    return api;
  }

  function showPending(formContext) {
    return offlineApi()
      .sync.pendingCount()
      .then((pending) => {
        if (pending === 0) formContext.ui.clearFormNotification("xrm-offline");
        else
          formContext.ui.setFormNotification(pending + " change(s) waiting to sync.", "INFO", "xrm-offline");
        return pending;
      });
  }

  return {
    // Form OnLoad handler; register it with "Pass execution context as first parameter".
    onLoad: (executionContext) => showPending(executionContext.getFormContext()),
    // Command bar button on the account form; its parameter is PrimaryControl (the form context).
    logVisit: (formContext) => {
      var accountId = formContext.data.entity.getId().replace(/[{}]/g, "");
      return offlineApi()
        .createRecord("task", {
          subject: "Visit " + new Date().toISOString().slice(0, 10),
          "regardingobjectid_account_task@odata.bind": "/accounts(" + accountId + ")",
        })
        .then((created) => showPending(formContext).then(() => created.id));
    },
  };
})();
