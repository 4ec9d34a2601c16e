/// A table replicated in full to every instance of the application: each instance reads every
/// partition of its topic into a local global store, restored before processing starts.
///
/// Made with ``StreamsBuilder/globalTable(_:consumed:materialized:)``; streams join it with
/// `KStream.join(_:named:keySelector:_:)` and `leftJoin`, looking it up by any key computed
/// from the record, with no co-partitioning. Global tables suit small, slowly changing
/// reference data (countries, products): every instance keeps all of it.
///
/// ```swift
/// let products = builder.globalTable("products", consumed: .with(key: .string, value: .json(Product.self)))
/// orders.join(products, keySelector: { _, order in order.productID }) { order, product in
///     PricedOrder(order: order, price: product.price)
/// }
/// ```
public final class GlobalKTable<Key, Value> {
    let builder: StreamsBuilder
    /// The global store's name (generated unless `Materialized` named it).
    let storeName: String
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    private let isNamed: Bool

    init(builder: StreamsBuilder, storeName: String, isNamed: Bool, key: Serde<Key>, value: Serde<Value>) {
        self.builder = builder
        self.storeName = storeName
        self.isNamed = isNamed
        self.keySerde = key
        self.valueSerde = value
    }

    /// The name of the table's store, for interactive queries, when `Materialized` named it.
    public var queryableStoreName: String? { isNamed ? storeName : nil }

    /// How joins read the table: its global store, shared by all tasks of the instance.
    var valueGetterSupplier: KTableValueGetterSupplier<Key, Value> {
        .global(storeName, key: keySerde, value: valueSerde)
    }
}
