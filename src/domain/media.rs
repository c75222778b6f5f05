//! Evidence file types, decided by the file's first bytes — never by the client's header
//! or the file name.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Heic,
    Mp4,
    Pdf,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Heic => "image/heic",
            MediaType::Mp4 => "video/mp4",
            MediaType::Pdf => "application/pdf",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(
            self,
            MediaType::Jpeg | MediaType::Png | MediaType::Webp | MediaType::Heic
        )
    }
}

/// How many leading bytes `sniff` needs to decide.
pub const SNIFF_LEN: usize = 16;

pub fn sniff(head: &[u8]) -> Option<MediaType> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(MediaType::Png);
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(MediaType::Webp);
    }
    if head.starts_with(b"%PDF-") {
        return Some(MediaType::Pdf);
    }
    // ISO base media files: a box size, then "ftyp" and the major brand.
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        const HEIF: [&[u8; 4]; 8] = [
            b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
        ];
        const MP4: [&[u8; 4]; 10] = [
            b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
            b"dash",
        ];
        if HEIF.iter().any(|b| &b[..] == brand) {
            return Some(MediaType::Heic);
        }
        if MP4.iter().any(|b| &b[..] == brand) {
            return Some(MediaType::Mp4);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_accepted_types() {
        let cases: &[(&[u8], Option<MediaType>)] = &[
            (b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", Some(MediaType::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Some(MediaType::Png)),
            (b"RIFF\x24\x00\x00\x00WEBPVP8 ", Some(MediaType::Webp)),
            (
                b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
                Some(MediaType::Heic),
            ),
            (
                b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00",
                Some(MediaType::Mp4),
            ),
            (b"%PDF-1.7\n%\xE2\xE3", Some(MediaType::Pdf)),
            (b"GIF89a\x01\x00\x01\x00", None),
            (b"<html><script>", None),
            (b"MZ\x90\x00\x03\x00", None),
            (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
            (b"\x00\x00\x00\x18ftypqt  ", None),
            (b"", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(bytes), *expected, "{bytes:?}");
        }
    }
}
