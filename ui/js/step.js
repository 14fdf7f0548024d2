// The screens of the window, by name. The values are the `data-step` numbers of the
// panels in index.html and of the step indicator (1–4 are the wizard, in its order; the
// saved list is not a wizard step and has no place in the indicator).

export const Step = Object.freeze({
  /** The saved connections: the first screen once any exist. */
  SAVED: 0,
  /** The connection's settings: name, client id and secret, redirect URI. */
  SETTINGS: 1,
  /** The areas (scopes) and the account type. */
  ACCESS: 2,
  /** Open Fortnox in the browser and wait for the answer. */
  AUTHORIZE: 3,
  /** The outcome: the keys, or what went wrong. */
  RESULT: 4,
});

/** True for the four wizard steps (the ones the indicator shows). */
export const isWizardStep = (step) => step >= Step.SETTINGS && step <= Step.RESULT;
