//! Activation files: any text is a valid file or a field-by-field refusal, never a panic;
//! a valid one carries no secret and survives its own round trip unchanged.
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
        }
    }
});
