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
