"""isingsc.core.imports: a module imported ahead of use in a background thread."""

import subprocess
import sys


def test_import_in_background_imports_the_module_and_leaves_errors_to_the_real_import():
    code = ("import sys\nfrom isingsc.core.imports import import_in_background\n"
            "assert 'colorsys' not in sys.modules\n"
            "import_in_background('colorsys').join()\nprint('colorsys' in sys.modules)\n"
            "import_in_background('isingsc_no_such_module').join()\n"
            "try:\n    import isingsc_no_such_module\nexcept ImportError:\n    print('raised')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "raised"] and out.stderr == ""
