package dev.restvisor.service.store;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * One stored chunk of guest pages, version {@value #VERSION}:
 * <pre>
 *   "RVCH"  u16 version  i32 slot  i32 page count  i32 page index * count (bit 31: all-zero page)
 *   i32 raw length  i32 compressed length  LZ4 block  u32 CRC32C of everything before it
 * </pre>
 * The LZ4 block holds the non-zero pages in index order. Decompression uses the bounds-checked
 * decoder, so a damaged chunk fails its checksum or its structure check and is never half-read.
 */
final class ChunkCodec {
    static final int VERSION = 1;
    private static final int MAGIC = 0x52564348; // "RVCH"
    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
    private static final LZ4Compressor COMPRESSOR = LZ4.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4.safeDecompressor();

    /** A chunk read back and verified, not yet decompressed. */
    record Chunk(int slot, int[] pages, int rawLength, byte[] stored, int dataOffset, int dataLength, int crc) {

        /** The non-zero pages, concatenated. */
        byte[] pageData(String snapshotId, int seq) {
            byte[] raw = new byte[rawLength];
            try {
                int n = DECOMPRESSOR.decompress(stored, dataOffset, dataLength, raw, 0, rawLength);
                if (n != rawLength) {
                    throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " holds " + n + " bytes where " + rawLength + " are expected");
                }
            } catch (LZ4Exception e) {
                throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " does not decompress");
            }
            return raw;
        }
    }

    private ChunkCodec() {
    }

    static byte[] encode(CapturedMemory.RawChunk chunk) {
        int max = COMPRESSOR.maxCompressedLength(chunk.dataLength());
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 4 + 4 + 4 * chunk.pages().length + 8 + max + 4);
        b.putInt(MAGIC).putShort((short) VERSION).putInt(chunk.slot()).putInt(chunk.pages().length);
        for (int p : chunk.pages()) {
            b.putInt(p);
        }
        b.putInt(chunk.dataLength());
        int lengthAt = b.position();
        b.putInt(0);
        int n = COMPRESSOR.compress(chunk.data(), 0, chunk.dataLength(), b.array(), b.position(), max);
        b.putInt(lengthAt, n);
        b.position(b.position() + n);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        byte[] out = new byte[b.position()];
        System.arraycopy(b.array(), 0, out, 0, out.length);
        return out;
    }

    /** Checks a stored chunk's signature, version, checksum and structure. */
    static Chunk decode(String snapshotId, int seq, byte[] stored) {
        if (stored.length < 30) {
            throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " is truncated");
        }
        ByteBuffer b = ByteBuffer.wrap(stored);
        if (b.getInt() != MAGIC) {
            throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " lacks its signature");
        }
        int version = b.getShort() & 0xffff;
        if (version != VERSION) {
            throw SnapshotFormat.unsupported(snapshotId, "memory chunk " + seq + " was written in chunk format version "
                    + version + " and this service reads only version " + VERSION);
        }
        CRC32C crc = new CRC32C();
        crc.update(stored, 0, stored.length - 4);
        int checksum = b.getInt(stored.length - 4);
        if ((int) crc.getValue() != checksum) {
            throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " fails its CRC32C checksum");
        }
        try {
            int slot = b.getInt();
            int count = b.getInt();
            if (count < 1 || count > CapturedMemory.PAGES_PER_CHUNK) {
                throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " claims " + count + " pages");
            }
            int[] pages = new int[count];
            int nonZero = 0;
            for (int i = 0; i < count; i++) {
                pages[i] = b.getInt();
                if ((pages[i] & CapturedMemory.ZERO_PAGE) == 0) {
                    nonZero++;
                }
            }
            int raw = b.getInt();
            int length = b.getInt();
            if (raw != nonZero * CapturedMemory.PAGE || length < 0 || b.position() + length != stored.length - 4) {
                throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " has inconsistent lengths");
            }
            return new Chunk(slot, pages, raw, stored, b.position(), length, checksum);
        } catch (BufferUnderflowException e) {
            throw SnapshotFormat.corrupt(snapshotId, "memory chunk " + seq + " is truncated");
        }
    }
}
