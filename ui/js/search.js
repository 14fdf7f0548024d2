// Searching as people type: without accents or case ("malmo" finds "Malmö", "forsaljning"
// finds "Försäljning"), every word must match, and for the scope filter a word's ending
// aside and the words people use for an area ("faktura" also finds "invoice"). The saved
// list's search and step 2's scope filter both search here.

/** Lower case without accents. */
export function fold(s) {
  return String(s ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/**
 * Words that mean the same when looking for a Fortnox area, Swedish and English together:
 * a typed word that starts one of a group's words also looks for the others. The one
 * synonym table; add a group when people search for an area by a word its texts lack.
 */
export const SYNONYMS = [
  ["faktura", "fakturor", "fakturering", "invoice", "bill", "billing"],
  ["betalning", "inbetalning", "utbetalning", "payment"],
  ["leverantor", "supplier", "vendor"],
  ["kund", "customer", "client"],
  ["lon", "loner", "salary", "salaries", "payroll", "wage"],
  ["anstalld", "personal", "employee", "staff"],
  ["artikel", "artiklar", "vara", "varor", "produkt", "product", "item"],
  ["bokforing", "verifikation", "konto", "moms", "bookkeeping", "voucher", "account", "ledger", "vat"],
  ["offert", "offer", "quote", "quotation"],
  ["order", "bestallning", "purchase"],
  ["lager", "warehouse", "stock", "inventory"],
  ["inventarier", "anlaggningstillgang", "assets", "fixed"],
  ["tid", "tidrapport", "tidredovisning", "time", "timesheet"],
  ["fil", "filer", "dokument", "kvitto", "file", "document", "receipt"],
  ["foretag", "bolag", "company", "organisation", "organization"],
];

/**
 * A typed word as looked for in a longer text: folded, and (with `stem`) a longer word
 * without its ending, so "fakturor" and "leverantörsfakturor" are found by "faktura".
 */
function stemmed(word) {
  return word.length >= 5 ? word.replace(/(or|ar|er|en|a|e|o|s)$/, "") : word;
}

/**
 * The query as words to find, each a list of alternatives (any one will do): the word
 * itself, and with `synonyms` the words of every group one of whose words it starts (or,
 * for words of five letters or more, that it starts with).
 */
export function queryWords(query, { stem = false, synonyms = false } = {}) {
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const alternatives = new Set([stem ? stemmed(word) : word]);
      if (synonyms && word.length >= 3) {
        for (const group of SYNONYMS) {
          // A word of the group it begins, or (an inflection: "fakturan") one it begins with.
          if (group.some((w) => w.startsWith(word) || (w.length >= 5 && word.startsWith(w)))) {
            for (const w of group) alternatives.add(stem ? stemmed(w) : w);
          }
        }
      }
      return [...alternatives];
    });
}

/** True when every word of `query` (or one of its alternatives) is in `text`. */
export function matches(text, query, options) {
  const hay = fold(text);
  return queryWords(query, options).every((alternatives) => alternatives.some((w) => hay.includes(w)));
}
