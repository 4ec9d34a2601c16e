/// Runs a user's ``Processor`` as a node.
final class ProcessorAPINode<P: Processor>: ProcessorNode<P.KeyIn, P.ValueIn> {
    private let context: ProcessorContext<P.KeyOut, P.ValueOut>
    private let make: @Sendable (ProcessorContext<P.KeyOut, P.ValueOut>) throws -> P
    private var processor: P?

    init(name: String, task: TaskContext, make: @escaping @Sendable (ProcessorContext<P.KeyOut, P.ValueOut>) throws -> P) {
        self.context = ProcessorContext(task: task, nodeName: name)
        self.make = make
        super.init(name: name)
    }

    static func definition(
        name: String, parents: [String], stores: [String],
        make: @escaping @Sendable (ProcessorContext<P.KeyOut, P.ValueOut>) throws -> P
    ) -> NodeDefinition {
        NodeDefinition(
            name: name, kind: .processor, parents: parents, stores: stores,
            inputType: RecordType(Record<P.KeyIn, P.ValueIn>.self),
            outputType: RecordType(Record<P.KeyOut, P.ValueOut>.self),
            make: { task in ProcessorAPINode(name: name, task: task, make: make) })
    }

    override func connect(child: ProcessorNodeBase) throws {
        try context.downstream.connect(child, parent: name)
    }

    override var childNames: [String] { context.downstream.children.map(\.name) }

    override func setConnectedStores(_ stores: [String]) {
        context.connectedStores = Set(stores)
    }

    override func initialize(_ task: TaskContext) throws {
        processor = try make(context)
    }

    override func process(_ record: Record<P.KeyIn, P.ValueIn>) throws {
        try processor!.process(record)
    }

    override func close() throws {
        try processor?.close()
        processor = nil
    }
}
