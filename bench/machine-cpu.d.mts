export function machineCpuMs(): number | undefined;
