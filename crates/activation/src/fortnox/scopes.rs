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

/// The known scope an unknown one most likely means, if one stands out: the same letters in
/// another case (`Customer`), the singular or plural (`invoices`), or a slip of a letter or
/// two (`companyinfromation`); `None` for a known scope, or when nothing is close. The one
/// place this guess is made: the settings check and activation files ask here, and the
/// window gets the answer with the check (`scope_fixes`).
pub fn likely(scope: &str) -> Option<&'static str> {
    if is_known(scope) {
        return None;
    }
    let wanted = scope.trim().to_lowercase();
    let ids = || CATALOGUE.iter().map(|(id, ..)| *id);
    if let Some(id) = ids().find(|id| *id == wanted) {
        return Some(id);
    }
    let singular = wanted.strip_suffix("es").filter(|w| w.ends_with('s')).or_else(|| wanted.strip_suffix('s'));
    if let Some(id) = ids().find(|id| Some(*id) == singular || *id == format!("{wanted}s")) {
        return Some(id);
    }
    // Slips: at most one edit in five letters, two in longer words; the single closest only.
    let allowed = if wanted.chars().count() >= 8 { 2 } else { 1 };
    let mut best: Vec<(usize, &'static str)> =
        ids().map(|id| (edit_distance(&wanted, id), id)).filter(|(d, _)| *d <= allowed).collect();
    best.sort_unstable();
    match best.as_slice() {
        [(d, id)] => (wanted.chars().count() >= 4 && *d > 0).then_some(*id),
        [(d, id), (d2, _), ..] if d < d2 => (wanted.chars().count() >= 4).then_some(*id),
        _ => None,
    }
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_scope_is_matched_to_the_one_it_most_likely_means() {
        assert_eq!(likely("invoices"), Some("invoice"));
        assert_eq!(likely("Customer"), Some("customer"));
        assert_eq!(likely("CUSTOMERS"), Some("customer"));
        assert_eq!(likely("companyinfromation"), Some("companyinformation"));
        assert_eq!(likely("supplierinvoices"), Some("supplierinvoice"));
        assert_eq!(likely("setting"), Some("settings"));
        assert_eq!(likely("invoice"), None, "a known scope needs no fix");
        assert_eq!(likely("xyz"), None);
        assert_eq!(likely("banking"), None, "nothing is close");
    }

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
