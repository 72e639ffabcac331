import type { Metadata } from "@xrm-offline/metadata";
import type { PartnerMap } from "./partner-map.ts";

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A CSDL `$metadata` document for `metadata`, shaped like Dataverse's (namespace
 * Microsoft.Dynamics.CRM, alias mscrm, entity container "System"). Types are flattened (no base
 * types), so it round-trips through `metadataFromCsdl` and `partnersFromCsdl`.
 */
export function generateCsdl(metadata: Metadata, partners: PartnerMap): string {
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="utf-8"?>');
  out.push('<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">');
  out.push('  <edmx:Reference Uri="http://vocabularies.odata.org/OData.Community.Keys.V1.xml">');
  out.push('    <edmx:Include Namespace="OData.Community.Keys.V1" Alias="Keys"/>');
  out.push("  </edmx:Reference>");
  out.push('  <edmx:Reference Uri="http://vocabularies.odata.org/OData.Community.Display.V1.xml">');
  out.push('    <edmx:Include Namespace="OData.Community.Display.V1" Alias="Display"/>');
  out.push("  </edmx:Reference>");
  out.push("  <edmx:DataServices>");
  out.push(
    '    <Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">',
  );
  out.push('      <EntityType Name="crmbaseentity" Abstract="true"/>');
  const entities = [...metadata.entities()];
  for (const e of entities) {
    out.push(`      <EntityType Name="${esc(e.logicalName)}" BaseType="mscrm.crmbaseentity">`);
    out.push(`        <Key><PropertyRef Name="${esc(e.primaryIdAttribute)}"/></Key>`);
    for (const a of e.attributes()) out.push(`        <Property Name="${esc(a.name)}" Type="${a.type}"/>`);
    for (const n of e.singleValuedNavigations()) {
      const target = metadata.entity(n.targetEntity);
      if (!target) continue;
      out.push(
        `        <NavigationProperty Name="${esc(n.name)}" Type="mscrm.${esc(n.targetEntity)}" Nullable="false">`,
      );
      out.push(
        `          <ReferentialConstraint Property="_${esc(n.lookupAttribute)}_value" ReferencedProperty="${esc(target.primaryIdAttribute)}"/>`,
      );
      out.push("        </NavigationProperty>");
    }
    const entityPartners = partners.get(e.logicalName);
    for (const n of e.collectionNavigations()) {
      if (!metadata.entity(n.targetEntity)) continue;
      const partner = entityPartners?.get(n.name);
      const partnerAttr = partner ? ` Partner="${esc(partner)}"` : "";
      out.push(
        `        <NavigationProperty Name="${esc(n.name)}" Type="Collection(mscrm.${esc(n.targetEntity)})"${partnerAttr}/>`,
      );
    }
    out.push("      </EntityType>");
  }
  out.push('      <EntityContainer Name="System">');
  for (const e of entities) {
    out.push(
      `        <EntitySet Name="${esc(e.entitySetName)}" EntityType="Microsoft.Dynamics.CRM.${esc(e.logicalName)}">`,
    );
    for (const n of e.singleValuedNavigations()) {
      const target = metadata.entity(n.targetEntity);
      if (target) {
        out.push(
          `          <NavigationPropertyBinding Path="${esc(n.name)}" Target="${esc(target.entitySetName)}"/>`,
        );
      }
    }
    for (const n of e.collectionNavigations()) {
      const target = metadata.entity(n.targetEntity);
      if (target) {
        out.push(
          `          <NavigationPropertyBinding Path="${esc(n.name)}" Target="${esc(target.entitySetName)}"/>`,
        );
      }
    }
    out.push("        </EntitySet>");
  }
  out.push("      </EntityContainer>");
  out.push("    </Schema>");
  out.push("  </edmx:DataServices>");
  out.push("</edmx:Edmx>");
  return `${out.join("\n")}\n`;
}
