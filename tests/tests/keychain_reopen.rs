//! After a keychain failure the keychain is opened again on the next call: a process (the
//! app runs for hours) that started while the Secret Service could not be reached uses it
//! as soon as it can, without a restart. The real Secret Service on the session bus that
//! `scripts/test.sh` starts; the failure is a session bus address that leads nowhere. One
//! test in this binary: it changes the process's environment.

use activation::store::{KeyringStore, SecretKind, SecretStore};
use uuid::Uuid;

#[test]
fn a_keychain_that_failed_is_opened_again_on_the_next_call() {
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").expect("run under a session bus (scripts/test.sh)");
    let nowhere = tempfile::tempdir().unwrap();
    // The only test of this binary: no other thread reads the environment meanwhile.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", nowhere.path().join("bus").display()));
    let keys = KeyringStore::new();
    let id = Uuid::new_v4();
    let e = keys.get(id, SecretKind::AccessToken).unwrap_err();
    assert_eq!(e.kind(), "keychain_unavailable");
    assert_eq!(keys.set(id, SecretKind::AccessToken, "value-1").unwrap_err().kind(), "keychain_unavailable");

    // The Secret Service is reachable again: the same store (and process) uses it.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus);
    keys.set(id, SecretKind::AccessToken, "value-1").unwrap();
    assert_eq!(keys.get(id, SecretKind::AccessToken).unwrap().as_deref(), Some("value-1"));
    keys.delete(id, SecretKind::AccessToken).unwrap();
    assert_eq!(keys.get(id, SecretKind::AccessToken).unwrap(), None);
}
