/**
 * Who the emulator says the caller is (WhoAmI, EqualUserId, eq-userid): one fixed user in one
 * business unit of one organization. The emulator has no users of its own; WhoAmI creates the
 * systemuser and businessunit rows on first use so that form scripts can retrieve them.
 */
export const EMULATOR_CALLER = {
  userId: "a0e1c0de-0000-4000-8000-000000000001",
  businessUnitId: "a0e1c0de-0000-4000-8000-000000000002",
  organizationId: "a0e1c0de-0000-4000-8000-000000000003",
  fullName: "Emulator User",
  businessUnitName: "Emulator",
} as const;
