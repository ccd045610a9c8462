/// Incremental SHA-256 as specified in FIPS 180-4.
///
/// The value keeps its state in fixed-size SIMD storage, so copying it and calling `update`
/// do not allocate. `HMACSHA256` relies on this to reuse a keyed state for many messages.
public struct SHA256: Sendable {
    public static let digestByteCount = 32
    public static let blockByteCount = 64

    /// Initial hash value H(0): the first 32 bits of the fractional parts of the square roots
    /// of the first eight primes.
    private static let initialState = SIMD8<UInt32>(
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )

    /// Round constants K: the first 32 bits of the fractional parts of the cube roots of the
    /// first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    private var state = SHA256.initialState
    /// Start of the current block, kept until `update` has a full 64 bytes to compress.
    private var partialBlock = SIMD64<UInt8>()
    private var partialBlockCount = 0
    /// Total message length so far, in bytes.
    private var messageByteCount: UInt64 = 0

    public init() {}

    /// Returns the SHA-256 digest (32 bytes) of `message`.
    public static func hash(_ message: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(message)
        return hasher.finalize()
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let updatedInPlace: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if updatedInPlace == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        messageByteCount &+= UInt64(bytes.count)
        var offset = 0

        // Top up a partial block from an earlier call first.
        if partialBlockCount > 0 {
            let takenCount = min(Self.blockByteCount - partialBlockCount, bytes.count)
            let blockOffset = partialBlockCount
            withUnsafeMutableBytes(of: &partialBlock) { block in
                block.baseAddress!.advanced(by: blockOffset).copyMemory(from: base, byteCount: takenCount)
            }
            partialBlockCount += takenCount
            offset = takenCount
            guard partialBlockCount == Self.blockByteCount else { return }

            let block = partialBlock
            withUnsafeBytes(of: block) { Self.compress(&state, blocks: $0) }
            partialBlockCount = 0
        }

        // Compress whole blocks straight from the caller's buffer.
        let remainingCount = bytes.count - offset
        let wholeBlockByteCount = remainingCount - remainingCount % Self.blockByteCount
        if wholeBlockByteCount > 0 {
            let wholeBlocks = UnsafeRawBufferPointer(start: base.advanced(by: offset), count: wholeBlockByteCount)
            Self.compress(&state, blocks: wholeBlocks)
            offset += wholeBlockByteCount
        }

        // Keep the tail for the next call.
        let tailCount = bytes.count - offset
        if tailCount > 0 {
            withUnsafeMutableBytes(of: &partialBlock) { block in
                block.baseAddress!.copyMemory(from: base.advanced(by: offset), byteCount: tailCount)
            }
            partialBlockCount = tailCount
        }
    }

    /// Pads the message and returns its digest (32 bytes).
    public consuming func finalize() -> [UInt8] {
        let words = finalizeWords()
        return [UInt8](unsafeUninitializedCapacity: Self.digestByteCount) { buffer, initializedCount in
            Self.storeBigEndian(words, into: UnsafeMutableRawBufferPointer(buffer))
            initializedCount = Self.digestByteCount
        }
    }

    /// Pads the message and returns the final hash value H(N) as eight words.
    consuming func finalizeWords() -> SIMD8<UInt32> {
        let messageBitCount = messageByteCount &* 8

        // Append the bit 1, then zeros until the length is 56 mod 64 bytes, then the message
        // length in bits as a 64-bit big-endian integer.
        let zeroByteCount = (Self.blockByteCount + 55 - partialBlockCount) % Self.blockByteCount
        let paddingByteCount = 1 + zeroByteCount + 8
        withUnsafeTemporaryAllocation(byteCount: paddingByteCount, alignment: 8) { padding in
            padding.initializeMemory(as: UInt8.self, repeating: 0)
            padding[0] = 0x80
            padding.storeBytes(of: messageBitCount.bigEndian, toByteOffset: paddingByteCount - 8, as: UInt64.self)
            update(UnsafeRawBufferPointer(padding))
        }
        return state
    }

    /// Writes `words` into the first 32 bytes of `buffer`, each word big-endian.
    static func storeBigEndian(_ words: SIMD8<UInt32>, into buffer: UnsafeMutableRawBufferPointer) {
        for index in 0..<8 {
            buffer.storeBytes(of: words[index].bigEndian, toByteOffset: index * 4, as: UInt32.self)
        }
    }

    /// Applies the SHA-256 compression function to each 64-byte block of `blocks`.
    private static func compress(_ state: inout SIMD8<UInt32>, blocks: UnsafeRawBufferPointer) {
        precondition(blocks.count % blockByteCount == 0, "SHA256.compress needs whole 64-byte blocks")

        roundConstants.withUnsafeBufferPointer { constants in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
                var blockOffset = 0
                while blockOffset < blocks.count {
                    // Message schedule W(0...63).
                    for t in 0..<16 {
                        let word = blocks.loadUnaligned(fromByteOffset: blockOffset + t * 4, as: UInt32.self)
                        schedule[t] = UInt32(bigEndian: word)
                    }
                    for t in 16..<64 {
                        let w15 = schedule[t - 15]
                        let w2 = schedule[t - 2]
                        let sigma0 = w15.rotatedRight(7) ^ w15.rotatedRight(18) ^ (w15 >> 3)
                        let sigma1 = w2.rotatedRight(17) ^ w2.rotatedRight(19) ^ (w2 >> 10)
                        schedule[t] = sigma1 &+ schedule[t - 7] &+ sigma0 &+ schedule[t - 16]
                    }

                    var a = state[0], b = state[1], c = state[2], d = state[3]
                    var e = state[4], f = state[5], g = state[6], h = state[7]
                    for t in 0..<64 {
                        let bigSigma1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
                        let choose = (e & f) ^ (~e & g)
                        let temp1 = h &+ bigSigma1 &+ choose &+ constants[t] &+ schedule[t]
                        let bigSigma0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
                        let majority = (a & b) ^ (a & c) ^ (b & c)
                        let temp2 = bigSigma0 &+ majority
                        h = g
                        g = f
                        f = e
                        e = d &+ temp1
                        d = c
                        c = b
                        b = a
                        a = temp1 &+ temp2
                    }
                    state &+= SIMD8(a, b, c, d, e, f, g, h)
                    blockOffset += blockByteCount
                }
            }
        }
    }
}

extension UInt32 {
    @inline(__always)
    fileprivate func rotatedRight(_ count: UInt32) -> UInt32 {
        (self >> count) | (self << (32 - count))
    }
}
