"""Make PyPI's CUDA build of torch import and run on the CPU without its ~3 GB of nvidia-* wheels.

PyPI has no CPU-only torch for Linux x86_64 (the `+cpu` wheels live on another index, which this
project cannot reach). The PyPI wheel, installed with `--no-deps`, holds the same CPU kernels
(libtorch_cpu.so) but its libraries name the CUDA libraries as NEEDED (libcudart.so.13, libcublas.so.13,
libcudnn.so.9, ...), so `import torch` fails. This script writes a stub for each missing CUDA library,
with the right SONAME and symbol-version nodes, defining every CUDA symbol torch's libraries import:
each stub function returns 100 (cudaErrorNoDevice / a non-success status) and the *ErrorString/
*ErrorName ones return a message. torch then loads, reports `torch.cuda.is_available() == False`,
and runs on the CPU. The stubs go in site-packages/nvidia/cu13/lib, which torch's RPATH names.

Usage: python torch_cuda_stubs.py <site-packages dir>   (idempotent; needs gcc and readelf/nm)
"""
import os
import re
import subprocess
import sys
import tempfile

site = sys.argv[1]
lib_dir = os.path.join(site, "torch", "lib")
out_dir = os.path.join(site, "nvidia", "cu13", "lib")
os.makedirs(out_dir, exist_ok=True)
libs = [os.path.join(lib_dir, f) for f in os.listdir(lib_dir) if f.endswith(".so")]
libs += [os.path.join(site, "torch", f) for f in os.listdir(os.path.join(site, "torch")) if f.endswith(".so")]


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


present = set(os.listdir(lib_dir))
needed: set[str] = set()
version_file: dict[str, str] = {}  # version node name -> the library that defines it
undefined: set[str] = set()
for lib in libs:
    needed |= set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run("readelf", "-d", "--wide", lib)))
    current = None
    for line in run("readelf", "-V", "--wide", lib).splitlines():
        m = re.search(r"File: (\S+)", line)
        if m:
            current = m.group(1)
        m = re.search(r"Name: (\S+)", line)
        if m and current:
            version_file[m.group(1)] = current
    undefined |= {l.split()[-1] for l in run("nm", "-D", "--undefined-only", lib).splitlines() if l.strip()}

cuda_like = re.compile(r"^lib(cu|nccl|nvrtc|nvshmem|nvJitLink|nvToolsExt)")
missing = sorted(n for n in needed if cuda_like.match(n) and n not in present)
unversioned_home = [  # for imports without a version node: which stub defines them (any would do)
    (re.compile(r"^cuFile"), "libcufile.so.0"),
    (re.compile(r"^cusparseLt"), "libcusparseLt.so.0"),
    (re.compile(r"^nccl"), "libnccl.so.2"),
    (re.compile(r"^cu[A-Z]"), "libcuda.so.1"),
    (re.compile(r"^(cuda|cublas|cudnn|cusparse|cusolver|cufft|nvrtc|cupti|nvshmem)"), "libcudart.so.13"),
]
symbols: dict[str, set[str]] = {n: set() for n in missing}
versions: dict[str, set[str]] = {n: set() for n in missing}
for sym in undefined:
    name, _, ver = sym.partition("@")
    home = version_file.get(ver) if ver else next((h for p, h in unversioned_home if p.match(name)), None)
    if home in symbols:
        symbols[home].add(name)
        if ver:
            versions[home].add(ver)

string_fn = re.compile(r"(ErrorString|ErrorName|StatusString|StatusName|LastErrorString)$")
with tempfile.TemporaryDirectory() as tmp:
    for soname in missing:
        src = os.path.join(tmp, "stub.c")
        with open(src, "w") as f:
            f.write(f"/* generated stub for {soname}: no CUDA here */\n")
            for name in sorted(symbols[soname]):
                if string_fn.search(name):
                    f.write(f'const char *{name}(void) {{ return "CUDA is not available (stub library of the anneal bench venv)"; }}\n')
                else:
                    f.write(f"long {name}(void) {{ return 100; }}\n")
            f.write("int anneal_cuda_stub_marker(void) { return 1; }\n")
        vers = os.path.join(tmp, "stub.map")
        with open(vers, "w") as f:
            nodes = sorted(versions[soname]) or [soname]
            for i, node in enumerate(nodes):
                f.write(f"{node} {{ {'global: *;' if i == 0 else ''} }};\n")
        target = os.path.join(out_dir, soname)
        subprocess.run(["gcc", "-shared", "-fPIC", "-O0", "-fno-builtin", "-w", f"-Wl,-soname,{soname}", f"-Wl,--version-script={vers}", src, "-o", target], check=True)
        print(f"stub {soname}: {len(symbols[soname])} symbols, versions {sorted(versions[soname]) or '-'}")
