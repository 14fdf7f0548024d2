//! Activation files: any text is a valid file or a field-by-field refusal (a list of
//! problems in field order, each worded), never a panic; a valid one carries no secret and
//! survives its own round trip unchanged.
#![no_main]

use activation::store::ActivationFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match ActivationFile::parse(&text) {
        Ok(file) => {
            let again = ActivationFile::parse(&file.to_json()).expect("what was written can be read");
            assert_eq!(again, file);
            let _ = file.to_settings_input();
        }
        Err(e) => {
            assert_eq!(e.kind(), "activation_file_invalid");
            let _ = e.message();
            // At least one problem, in field order, each a line with words in both languages.
            let problems = e.payload().problems;
            assert!(!problems.is_empty());
            assert!(problems.windows(2).all(|w| w[0].field <= w[1].field));
            assert!(problems.iter().all(|p| !p.text.en.is_empty() && !p.text.sv.is_empty()));
        }
    }
});
