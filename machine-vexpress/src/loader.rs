//! Image loaders: ELF (by program headers, at their physical addresses) and raw binaries
//! (at the start of RAM).

use emu_core::Ram;
use goblin::elf::{program_header::PT_LOAD, Elf};

/// What was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadedImage {
    /// Entry point; bit 0 set means Thumb.
    pub entry: u32,
    pub kind: ImageKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Elf,
    Raw,
}

/// Why an image could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    Empty,
    Elf(String),
    NotArm32,
    SegmentOutsideRam { paddr: u64, size: u64 },
    TooBig { size: u64, ram: u64 },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Empty => write!(f, "image is empty"),
            LoadError::Elf(e) => write!(f, "malformed ELF image: {e}"),
            LoadError::NotArm32 => write!(f, "ELF image is not a 32-bit Arm executable"),
            LoadError::SegmentOutsideRam { paddr, size } => write!(
                f,
                "ELF segment at {paddr:#x} ({size} bytes) lies outside RAM"
            ),
            LoadError::TooBig { size, ram } => {
                write!(
                    f,
                    "image of {size} bytes does not fit in {ram} bytes of RAM"
                )
            }
        }
    }
}

impl std::error::Error for LoadError {}

const EM_ARM: u16 = 40;

/// Loads `image` into RAM.
pub fn load_image(ram: &mut Ram, image: &[u8]) -> Result<LoadedImage, LoadError> {
    if image.is_empty() {
        return Err(LoadError::Empty);
    }
    if image.starts_with(b"\x7fELF") {
        load_elf(ram, image)
    } else {
        let base = ram.base();
        let ram_size = ram.size();
        let dst = ram.slice_mut(base, image.len()).ok_or(LoadError::TooBig {
            size: image.len() as u64,
            ram: ram_size,
        })?;
        dst.copy_from_slice(image);
        Ok(LoadedImage {
            entry: base as u32,
            kind: ImageKind::Raw,
        })
    }
}

fn load_elf(ram: &mut Ram, image: &[u8]) -> Result<LoadedImage, LoadError> {
    let elf = Elf::parse(image).map_err(|e| LoadError::Elf(e.to_string()))?;
    if elf.is_64 || elf.header.e_machine != EM_ARM {
        return Err(LoadError::NotArm32);
    }
    for ph in elf.program_headers.iter().filter(|p| p.p_type == PT_LOAD) {
        if ph.p_memsz == 0 {
            continue;
        }
        let file_end = ph.p_offset.checked_add(ph.p_filesz);
        let data = file_end
            .and_then(|end| image.get(ph.p_offset as usize..end as usize))
            .ok_or_else(|| LoadError::Elf("segment extends past the end of the file".into()))?;
        if ph.p_filesz > ph.p_memsz {
            return Err(LoadError::Elf(
                "segment file size exceeds memory size".into(),
            ));
        }
        let dst =
            ram.slice_mut(ph.p_paddr, ph.p_memsz as usize)
                .ok_or(LoadError::SegmentOutsideRam {
                    paddr: ph.p_paddr,
                    size: ph.p_memsz,
                })?;
        dst[..data.len()].copy_from_slice(data);
        dst[data.len()..].fill(0);
    }
    Ok(LoadedImage {
        entry: elf.header.e_entry as u32,
        kind: ImageKind::Elf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_images_load_at_ram_base() {
        let mut ram = Ram::new(0x8000_0000, 1 << 20).unwrap();
        let img = load_image(&mut ram, &[1, 2, 3, 4]).unwrap();
        assert_eq!(img.entry, 0x8000_0000);
        assert_eq!(ram.slice(0x8000_0000, 4).unwrap(), &[1, 2, 3, 4]);
    }

    #[test]
    fn malformed_elf_is_an_error() {
        let mut ram = Ram::new(0x8000_0000, 1 << 20).unwrap();
        let err = load_image(&mut ram, b"\x7fELF\x01\x01\x01").unwrap_err();
        assert!(matches!(err, LoadError::Elf(_)), "{err}");
        assert!(matches!(load_image(&mut ram, &[]), Err(LoadError::Empty)));
    }

    #[test]
    fn oversized_raw_image_is_an_error() {
        let mut ram = Ram::new(0x8000_0000, 4096).unwrap();
        assert!(matches!(
            load_image(&mut ram, &[0; 8192]),
            Err(LoadError::TooBig { .. })
        ));
    }
}
