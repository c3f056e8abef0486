// The machine is small and clusters are heavy: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
