//! The C ABI between the runner host and a plugin library.
//!
//! A plugin library exports one symbol, [`ENTRY_SYMBOL`], a function returning a pointer to a
//! static [`PluginVTable`]. The host checks `abi_version` and `struct_size` before it calls
//! anything else. Every call passes JSON bytes in and gets JSON bytes back in a buffer the
//! plugin allocated and the host returns through `free_buf`, because each library has its own
//! allocator. Panics are caught inside the plugin and come back as [`STATUS_PANIC`].

/// Raised when the table's layout or meaning changes; also part of the symbol's name.
pub const ABI_VERSION: u32 = 1;
/// The symbol every plugin exports, NUL-terminated for `dlsym`.
pub const ENTRY_SYMBOL: &[u8] = b"inloop_plugin_entry_v1\0";

pub const STATUS_OK: i32 = 0;
/// The plugin refused the request; the buffer holds a UTF-8 message.
pub const STATUS_ERROR: i32 = 1;
/// The plugin panicked; the buffer holds the panic message.
pub const STATUS_PANIC: i32 = 2;

/// Bytes allocated by the plugin (a `Vec<u8>` taken apart), returned with `free_buf`.
#[repr(C)]
#[derive(Debug)]
pub struct PluginBuf {
    pub ptr: *mut u8,
    pub len: usize,
    pub cap: usize,
}

pub type CallFn = unsafe extern "C" fn(
    method_ptr: *const u8,
    method_len: usize,
    input_ptr: *const u8,
    input_len: usize,
    out: *mut PluginBuf,
) -> i32;

pub type FreeFn = unsafe extern "C" fn(buf: PluginBuf);

/// The function table a plugin hands the host. New fields are only ever appended.
#[repr(C)]
#[derive(Debug)]
pub struct PluginVTable {
    pub abi_version: u32,
    /// `size_of::<PluginVTable>()` as the plugin was built; the host needs at least its own.
    pub struct_size: usize,
    pub call: CallFn,
    pub free_buf: FreeFn,
}

/// Exports a [`crate::GraderPlugin`] from a `cdylib`: `inloop_plugin_api::export_plugin!(MyPlugin);`
/// where `MyPlugin` is a unit struct or any constant expression of the plugin type.
///
/// This macro is the only place in a plugin where `unsafe` code exists.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:expr) => {
        #[allow(unsafe_code)]
        mod __inloop_plugin_export {
            use $crate::abi::{
                ABI_VERSION, PluginBuf, PluginVTable, STATUS_ERROR, STATUS_OK, STATUS_PANIC,
            };

            static VTABLE: PluginVTable = PluginVTable {
                abi_version: ABI_VERSION,
                struct_size: ::std::mem::size_of::<PluginVTable>(),
                call,
                free_buf,
            };

            #[unsafe(no_mangle)]
            pub extern "C" fn inloop_plugin_entry_v1() -> *const PluginVTable {
                &VTABLE
            }

            unsafe extern "C" fn call(
                method_ptr: *const u8,
                method_len: usize,
                input_ptr: *const u8,
                input_len: usize,
                out: *mut PluginBuf,
            ) -> i32 {
                // SAFETY: the host passes pointers to `len` readable bytes that outlive this call.
                let method = unsafe { ::std::slice::from_raw_parts(method_ptr, method_len) };
                let input = unsafe { ::std::slice::from_raw_parts(input_ptr, input_len) };
                let answer = ::std::panic::catch_unwind(|| {
                    let method = ::std::str::from_utf8(method)
                        .map_err(|_| "the method name is not UTF-8".to_owned())?;
                    $crate::protocol::dispatch(super::PLUGIN, method, input)
                });
                let (status, bytes) = match answer {
                    Ok(Ok(json)) => (STATUS_OK, json),
                    Ok(Err(message)) => (STATUS_ERROR, message.into_bytes()),
                    Err(panic) => {
                        let message = panic
                            .downcast_ref::<&str>()
                            .map(|text| (*text).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "the plugin panicked".to_owned());
                        (STATUS_PANIC, message.into_bytes())
                    }
                };
                let mut bytes = ::std::mem::ManuallyDrop::new(bytes);
                // SAFETY: the host passes a valid, writable `PluginBuf`.
                unsafe {
                    *out = PluginBuf {
                        ptr: bytes.as_mut_ptr(),
                        len: bytes.len(),
                        cap: bytes.capacity(),
                    };
                }
                status
            }

            unsafe extern "C" fn free_buf(buf: PluginBuf) {
                if !buf.ptr.is_null() {
                    // SAFETY: `buf` came from `call` above, which took apart a `Vec<u8>` of this library.
                    drop(unsafe { ::std::vec::Vec::from_raw_parts(buf.ptr, buf.len, buf.cap) });
                }
            }
        }

        static PLUGIN: &dyn $crate::GraderPlugin = &$plugin;
    };
}

/// The export macro's own guarantees, checked by calling through the table exactly as the host does.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use crate::{
        GraderPlugin,
        protocol::{ImageRecipe, PluginInfo, RunOutcome, RunRecipe, TaskSpec},
        report::Report,
    };

    struct Panicky;

    impl GraderPlugin for Panicky {
        fn describe(&self) -> PluginInfo {
            panic!("describe blew up")
        }
        fn image_recipe(&self, _: &TaskSpec) -> Result<ImageRecipe, String> {
            Err("no image for you".to_owned())
        }
        fn run_recipe(&self, _: &TaskSpec) -> Result<RunRecipe, String> {
            Err("unused".to_owned())
        }
        fn parse(&self, _: &TaskSpec, _: &RunOutcome) -> Result<Report, String> {
            Err("unused".to_owned())
        }
    }

    crate::export_plugin!(Panicky);

    fn call(method: &str, input: &[u8]) -> (i32, String) {
        let table = __inloop_plugin_export::inloop_plugin_entry_v1();
        // SAFETY: the table is the static one the macro made in this very test binary.
        let table = unsafe { &*table };
        assert_eq!(table.abi_version, ABI_VERSION);
        assert!(table.struct_size >= size_of::<PluginVTable>());
        let mut out = PluginBuf { ptr: std::ptr::null_mut(), len: 0, cap: 0 };
        // SAFETY: valid slices and a writable buffer, as the ABI requires.
        let status = unsafe {
            (table.call)(method.as_ptr(), method.len(), input.as_ptr(), input.len(), &mut out)
        };
        // SAFETY: the plugin filled `out`; it is read once and handed back once.
        let text = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(out.ptr, out.len) })
            .into_owned();
        unsafe { (table.free_buf)(out) };
        (status, text)
    }

    #[test]
    fn a_panic_comes_back_as_a_status_not_an_abort() {
        let (status, message) = call("describe", b"");
        assert_eq!(status, STATUS_PANIC);
        assert_eq!(message, "describe blew up");
    }

    #[test]
    fn refusals_and_bad_requests_come_back_as_errors() {
        let task = br#"{"name": "t", "files": [], "meta": {}}"#;
        assert_eq!(call("image_recipe", task), (STATUS_ERROR, "no image for you".to_owned()));
        let (status, message) = call("image_recipe", b"{not json");
        assert_eq!(status, STATUS_ERROR);
        assert!(message.starts_with("bad request"), "{message}");
        assert_eq!(call("fly", b""), (STATUS_ERROR, "unknown method 'fly'".to_owned()));
    }
}
