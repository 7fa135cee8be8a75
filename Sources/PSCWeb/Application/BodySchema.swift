import Foundation
import PSCCore

/// The JSON Schema of a request body type, read from the type itself: a decoder that records which fields its
/// `init(from:)` asks for, with their types and whether they are optional, so the OpenAPI document describes the same
/// fields the route decodes (under the names clients send, see ``RequestKeys``). Written here because Swift has no
/// reflection for `Decodable` and no library in the allowed set derives schemas from types.
enum BodySchema {
    static func of<T: Decodable>(_ type: T.Type) -> JSONValue {
        let recorder = Recorder()
        guard (try? T(from: recorder)) != nil else { return ["type": "object"] }
        return recorder.schema
    }

    /// What one `Decodable` value asked for.
    final class Recorder: Decoder {
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]
        var properties: [String: JSONValue] = [:]
        var required: [String] = []
        var item: JSONValue?
        var single: JSONValue?

        var schema: JSONValue {
            if let single { return single }
            if let item { return ["type": "array", "items": item] }
            var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
            if !required.isEmpty { schema["required"] = .array(required.sorted().map(JSONValue.string)) }
            return .object(schema)
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Keyed<Key>(recorder: self))
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { Unkeyed(recorder: self) }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(recorder: self) }
    }

    /// The schema of a value of `type`, and a value to hand back to the decoding type.
    static func sample<T: Decodable>(_ type: T.Type) throws -> (T, JSONValue) {
        let primitives: [(value: Any, schema: JSONValue)] = [
            ("", ["type": "string"]), (false, ["type": "boolean"]), (0, ["type": "integer"]),
            (Int64(0), ["type": "integer", "format": "int64"]), (0.0, ["type": "number"]), (JSONValue.null, [:]),
        ]
        for primitive in primitives where ObjectIdentifier(Swift.type(of: primitive.value)) == ObjectIdentifier(T.self) {
            if let value = primitive.value as? T { return (value, primitive.schema) }
        }
        let recorder = Recorder()
        let value = try T(from: recorder)
        return (value, recorder.schema)
    }

    /// The schema of `type` where no value is needed (an optional field): what was recorded even if the type then
    /// refused the placeholder value, as an enum refuses an empty raw value.
    static func schemaOnly<T: Decodable>(_ type: T.Type) -> JSONValue {
        if let (_, schema) = try? sample(type) { return schema }
        let recorder = Recorder()
        _ = try? T(from: recorder)
        return recorder.schema
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let (value, schema) = try BodySchema.sample(type)
            let name = RequestKeys.jsonName(key.stringValue)
            recorder.properties[name] = schema
            recorder.required.append(name)
            return value
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decodeIfPresent(nil, type, key) }
        // The protocol's own overloads for these types would otherwise decode them as required fields.
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
            try decodeIfPresent(Optional<String>.none, type, key)
        }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(Optional<Bool>.none, type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(Optional<Int>.none, type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresent(Optional<Int64>.none, type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
            try decodeIfPresent(Optional<Double>.none, type, key)
        }

        private func decodeIfPresent<T: Decodable>(_ none: T?, _ type: T.Type, _ key: Key) throws -> T? {
            recorder.properties[RequestKeys.jsonName(key.stringValue)] = BodySchema.schemaOnly(type)
            return none
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            let nested = Recorder()
            recorder.properties[RequestKeys.jsonName(key.stringValue)] = nested.schema
            return KeyedDecodingContainer(Keyed<NestedKey>(recorder: nested))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { Unkeyed(recorder: Recorder()) }
        func superDecoder() throws -> any Decoder { Recorder() }
        func superDecoder(forKey key: Key) throws -> any Decoder { Recorder() }
    }

    /// An array: one element is asked for, which gives the item schema.
    final class Unkeyed: UnkeyedDecodingContainer {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }
        var count: Int? { nil }
        var currentIndex = 0
        var isAtEnd: Bool { currentIndex > 0 }

        init(recorder: Recorder) {
            self.recorder = recorder
            recorder.item = [:]
        }

        func decodeNil() throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (value, schema) = try BodySchema.sample(type)
            recorder.item = schema
            currentIndex += 1
            return value
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            currentIndex += 1
            return KeyedDecodingContainer(Keyed<NestedKey>(recorder: Recorder()))
        }
        func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            currentIndex += 1
            return Unkeyed(recorder: Recorder())
        }
        func superDecoder() throws -> any Decoder { Recorder() }
    }

    /// A single value (a `RawRepresentable` enum, a wrapper): its raw type's schema.
    struct Single: SingleValueDecodingContainer {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (value, schema) = try BodySchema.sample(type)
            recorder.single = schema
            return value
        }
    }
}
