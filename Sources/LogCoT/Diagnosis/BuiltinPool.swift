/// A small handwritten pool of server SEL windows, used when no pool file is configured.
///
/// It gives the TF-IDF classes a starting point for the three server classes (cpu, memory, other).
/// A production deployment configures a pool built from its own logs in `filtering.poolFile`.
public enum BuiltinPool {
    public static let pool = ExamplePool(examples: examples, version: "builtin-v1")

    static let examples: [PoolExample] = [
        PoolExample(
            id: "builtin-cpu-1",
            lines: [
                "Processor CPU1_Status | IERR | Asserted",
                "Processor CPU_CATERR | State Asserted | Asserted",
                "System Boot Initiated BIOS_Boot_Up | Initiated by warm reset | Asserted",
                "Memory CPU1A1_DIMM_Stat | Correctable ECC | Asserted",
            ],
            reasoning: "The processor reports an internal error (IERR) and then a catastrophic error (CATERR) before a warm reset. The correctable ECC event after the reboot is a side effect, so the main fault is the CPU.",
            label: "cpu"
        ),
        PoolExample(
            id: "builtin-cpu-2",
            lines: [
                "Processor CPU0_Status | Configuration Error | Asserted",
                "Processor CPU0_Status | Thermal Trip | Asserted",
                "Temperature CPU0_Temp | Upper Critical going high | Asserted",
                "System ACPI Power State ACPI_PWR_Status | S4/S5: soft-off | Asserted",
            ],
            reasoning: "CPU0 crosses its upper critical temperature and trips thermally, and the host powers off. The processor overheating is the primary error.",
            label: "cpu"
        ),
        PoolExample(
            id: "builtin-memory-1",
            lines: [
                "Memory CPU0B0_DIMM_Stat | Correctable ECC | Asserted",
                "Memory CPU0B0_DIMM_Stat | Uncorrectable ECC | Asserted",
                "Memory Memory_Status | Uncorrectable ECC | Asserted",
                "System Boot Initiated BIOS_Boot_Up | Initiated by hard reset | Asserted",
            ],
            reasoning: "Correctable ECC errors on DIMM B0 escalate to an uncorrectable ECC error and the host resets. The failing DIMM is the main fault, so the class is memory.",
            label: "memory"
        ),
        PoolExample(
            id: "builtin-memory-2",
            lines: [
                "Drive Slot HDD_Status | Drive Fault | Asserted",
                "Drive Slot HDD_Status | Predictive Failure | Asserted",
                "Memory Memory_Status | Correctable ECC logging limit reached | Asserted",
            ],
            reasoning: "A drive reports a predictive failure and then a drive fault, while memory logs reach the correctable ECC limit. Storage and memory errors dominate, so the class is memory and storage.",
            label: "memory"
        ),
        PoolExample(
            id: "builtin-other-1",
            lines: [
                "Power Supply PS1_Status | Power Supply AC lost | Asserted",
                "Power Supply PS1_Status | Failure detected | Asserted",
                "System ACPI Power State ACPI_PWR_Status | S4/S5: soft-off | Asserted",
                "Button Button_Pressed | Power Button pressed | Asserted",
            ],
            reasoning: "Power supply 1 loses AC input and reports a failure, the host powers off, and an operator presses the power button. No CPU or memory event appears, so the class is other.",
            label: "other"
        ),
        PoolExample(
            id: "builtin-other-2",
            lines: [
                "Fan FAN2_Status | Fully Redundant | Deasserted",
                "Fan FAN2_Speed | Lower Critical going low | Asserted",
                "Watchdog2 IPMI_Watchdog | Timer expired, status only | Asserted",
                "Event Logging Disabled SEL_Status | Log area reset/cleared | Asserted",
            ],
            reasoning: "A fan loses redundancy and its speed drops below the critical limit, and the IPMI watchdog expires. These are cooling and management events, so the class is other.",
            label: "other"
        ),
    ]
}
