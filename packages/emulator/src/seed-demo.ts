import type { Emulator } from "./start-emulator.ts";

export interface DemoData {
  readonly technicianId: string;
  readonly accountIds: readonly string[];
  readonly contactIds: readonly string[];
  readonly incidentIds: readonly string[];
  readonly taskIds: readonly string[];
}

const ACCOUNTS = [
  {
    name: "Contoso Pharmaceuticals",
    address1_city: "Redmond",
    telephone1: "+1 425 555 0101",
    accountnumber: "CP-1001",
  },
  {
    name: "Fabrikam Cold Storage",
    address1_city: "Tacoma",
    telephone1: "+1 253 555 0134",
    accountnumber: "FC-2002",
  },
  {
    name: "Northwind Bakery",
    address1_city: "Seattle",
    telephone1: "+1 206 555 0188",
    accountnumber: "NB-3003",
  },
  {
    name: "Adventure Works Cycles",
    address1_city: "Bellevue",
    telephone1: "+1 425 555 0145",
    accountnumber: "AW-4004",
  },
];

const CONTACTS = [
  {
    firstname: "Nancy",
    lastname: "Anderson",
    jobtitle: "Facilities manager",
    emailaddress1: "nancy@contoso.example",
  },
  {
    firstname: "Marco",
    lastname: "Rossi",
    jobtitle: "Plant engineer",
    emailaddress1: "marco@fabrikam.example",
  },
  { firstname: "Aiko", lastname: "Tanaka", jobtitle: "Owner", emailaddress1: "aiko@northwind.example" },
  {
    firstname: "Sam",
    lastname: "Okafor",
    jobtitle: "Workshop lead",
    emailaddress1: "sam@adventure-works.example",
  },
];

const CASES = [
  {
    title: "Cold room 2 not holding temperature",
    prioritycode: 1,
    description: "Reads 9 °C; should be 4 °C.",
  },
  {
    title: "Freezer door seal torn",
    prioritycode: 2,
    description: "Seal on the walk-in freezer is torn at the hinge.",
  },
  {
    title: "Proofing cabinet humidity sensor fault",
    prioritycode: 2,
    description: "Sensor reports 0 % humidity.",
  },
  { title: "Compressor noise in the workshop", prioritycode: 3, description: "Loud rattle at start-up." },
];

const TASKS = [
  "Replace thermostat on cold room 2",
  "Bring a replacement door seal (size L)",
  "Calibrate the humidity sensor",
  "Inspect compressor mounts",
  "Quarterly maintenance visit",
];

/**
 * Demo data for a field technician: a technician user, accounts with their primary contacts,
 * open cases (incidents) and open tasks regarding those accounts. Written through the emulator's
 * own write path, so lookups carry their target tables like rows created over the Web API.
 */
export function seedDemoData(emulator: Emulator): DemoData {
  const [technicianId] = emulator.seed("systemuser", [
    {
      firstname: "Jordan",
      lastname: "Lee",
      internalemailaddress: "jordan.lee@field.example",
      title: "Field technician",
    },
  ]);
  const contactIds = emulator.seed("contact", CONTACTS);
  const accountIds = emulator.seed(
    "account",
    ACCOUNTS.map((a, i) => ({ ...a, "primarycontactid@odata.bind": `/contacts(${contactIds[i]})` })),
  );
  // Contacts work for their account.
  for (const [i, contactId] of contactIds.entries()) {
    const res = emulator.handle({
      method: "PATCH",
      path: `contacts(${contactId})`,
      headers: { "If-Match": "*" },
      body: JSON.stringify({ "parentcustomerid_account@odata.bind": `/accounts(${accountIds[i]})` }),
    });
    if (res.status >= 400)
      throw new Error(`seedDemoData: linking contact ${contactId} failed: ${res.body ?? res.status}`);
  }
  const incidentIds = emulator.seed(
    "incident",
    CASES.map((c, i) => ({
      ...c,
      "customerid_account@odata.bind": `/accounts(${accountIds[i]})`,
      "primarycontactid@odata.bind": `/contacts(${contactIds[i]})`,
    })),
  );
  const now = Date.now();
  const taskIds = emulator.seed(
    "task",
    TASKS.map((subject, i) => ({
      subject,
      prioritycode: i === 0 ? 2 : 1,
      scheduledend: new Date(now + (i + 1) * 86_400_000).toISOString(),
      "regardingobjectid_account_task@odata.bind": `/accounts(${accountIds[i % accountIds.length]})`,
    })),
  );
  return { technicianId: technicianId!, accountIds, contactIds, incidentIds, taskIds };
}
