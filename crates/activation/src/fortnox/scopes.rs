//! The catalogue of Fortnox scopes, with plain-language descriptions in both languages.
//!
//! Scopes are case-sensitive. Every scope grants read and write, and the company needs a
//! licence for the area. Scopes not in the catalogue are allowed (Fortnox adds some) but
//! earn a warning.

use crate::i18n::Text;
use serde::Serialize;

/// One scope of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeInfo {
    pub id: &'static str,
    pub group: Text,
    pub description: Text,
    /// Suggested for most integrations (the company's name comes from it).
    pub recommended: bool,
}

const COMPANY: (&str, &str) = ("Company", "Företaget");
const ACCOUNTING: (&str, &str) = ("Accounting", "Bokföring");
const SALES: (&str, &str) = ("Sales", "Försäljning");
const PURCHASING: (&str, &str) = ("Purchasing", "Inköp");
const FILES: (&str, &str) = ("Documents and files", "Dokument och filer");
const STAFF: (&str, &str) = ("Staff", "Personal");
const OTHER: (&str, &str) = ("Older or special", "Äldre eller särskilda");

/// `(id, group, English description, Swedish description, recommended)`.
type Entry = (&'static str, (&'static str, &'static str), &'static str, &'static str, bool);

#[rustfmt::skip]
const CATALOGUE: &[Entry] = &[
    ("companyinformation", COMPANY, "The company's name, address, organisation number and database number.", "Företagets namn, adress, organisationsnummer och databasnummer.", true),
    ("settings", COMPANY, "Company settings: labels, modes of payment, predefined accounts, terms of payment and units.", "Företagsinställningar: etiketter, betalsätt, fördefinierade konton, betalningsvillkor och enheter.", false),
    ("profile", COMPANY, "The user who approved the connection.", "Användaren som godkände kopplingen.", false),
    ("bookkeeping", ACCOUNTING, "Bookkeeping: charts of accounts, accounts, financial years, SIE files, vouchers and voucher series.", "Bokföring: kontoplaner, konton, räkenskapsår, SIE-filer, verifikationer och verifikationsserier.", false),
    ("costcenter", ACCOUNTING, "Cost centres.", "Kostnadsställen.", false),
    ("project", ACCOUNTING, "Projects.", "Projekt.", false),
    ("currency", ACCOUNTING, "Currencies.", "Valutor.", false),
    ("payment", ACCOUNTING, "Payments of invoices and supplier invoices.", "Inbetalningar av fakturor och utbetalningar av leverantörsfakturor.", false),
    ("invoice", SALES, "Invoices, invoice accruals, contracts, contract templates and tax reductions.", "Fakturor, fakturaperiodiseringar, avtal, avtalsmallar och skattereduktioner.", false),
    ("customer", SALES, "Customers.", "Kunder.", false),
    ("article", SALES, "Articles (products and services).", "Artiklar (varor och tjänster).", false),
    ("price", SALES, "Price lists and prices.", "Prislistor och priser.", false),
    ("offer", SALES, "Offers (quotes).", "Offerter.", false),
    ("order", SALES, "Orders.", "Order.", false),
    ("print", SALES, "Print templates.", "Utskriftsmallar.", false),
    ("noxfinansinvoice", SALES, "Invoices handled by Nox Finans.", "Fakturor som hanteras av Nox Finans.", false),
    ("supplier", PURCHASING, "Suppliers.", "Leverantörer.", false),
    ("supplierinvoice", PURCHASING, "Supplier invoices, their accruals and linked files.", "Leverantörsfakturor, deras periodiseringar och kopplade filer.", false),
    ("archive", FILES, "The file archive.", "Filarkivet.", false),
    ("inbox", FILES, "The inbox for incoming documents.", "Inkorgen för inkommande dokument.", false),
    ("connectfile", FILES, "Linking files to articles, supplier invoices and vouchers.", "Koppling av filer till artiklar, leverantörsfakturor och verifikationer.", false),
    ("salary", STAFF, "Employees, salaries, absence, attendance, expenses and schedules.", "Anställda, löner, frånvaro, närvaro, utlägg och scheman.", false),
    ("timereporting", STAFF, "Time reporting.", "Tidredovisning.", false),
    ("assets", OTHER, "Fixed assets (an older scope some integrations still use).", "Inventarier (ett äldre område som vissa integrationer fortfarande använder).", false),
    ("warehouse", OTHER, "Warehouse (a special scope some integrations use).", "Lager (ett särskilt område som vissa integrationer använder).", false),
];

/// The whole catalogue, in display order (grouped).
pub fn catalogue() -> Vec<ScopeInfo> {
    CATALOGUE
        .iter()
        .map(|&(id, (gen, gsv), en, sv, recommended)| ScopeInfo {
            id,
            group: Text::new(gen, gsv),
            description: Text::new(en, sv),
            recommended,
        })
        .collect()
}

/// True when `scope` is a known Fortnox scope (case-sensitive, as Fortnox is).
pub fn is_known(scope: &str) -> bool {
    CATALOGUE.iter().any(|(id, ..)| *id == scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_every_scope_of_the_facts_sheet() {
        for s in [
            "companyinformation",
            "settings",
            "profile",
            "bookkeeping",
            "invoice",
            "customer",
            "supplier",
            "supplierinvoice",
            "article",
            "price",
            "print",
            "offer",
            "order",
            "payment",
            "costcenter",
            "currency",
            "project",
            "connectfile",
            "archive",
            "inbox",
            "salary",
            "timereporting",
            "noxfinansinvoice",
            "assets",
            "warehouse",
        ] {
            assert!(is_known(s), "{s}");
        }
        assert!(!is_known("Invoice"), "scopes are case-sensitive");
        assert_eq!(catalogue().len(), 25);
    }
}
