"""Catalogued mistakes of stage 07-mlp."""

from autograder.bugs import Bug


def _bug(name, cell, old, new, test, says, summary, fix, same_as=None):
    return Bug(name, '07-mlp', cell, old, new, test, says, summary, fix, same_as)


BUGS = [
    _bug('nonlinear-last-layer', 'mlp-init', 'nonlin=i != len(nouts) - 1', 'nonlin=True',
         'mlp-linear-last', 'must be linear', 'the last layer applies ReLU',
         'give the last layer nonlin=False: nonlin=i != len(nouts) - 1'),
    _bug('every-layer-linear', 'mlp-init', 'nonlin=i != len(nouts) - 1', 'nonlin=False',
         'mlp-init', 'every layer but the last uses ReLU', 'every layer is linear',
         'give every layer but the last nonlin=True'),
    _bug('first-layer-linear', 'mlp-init', 'nonlin=i != len(nouts) - 1', 'nonlin=i != 0',
         'mlp-init', 'every layer but the last uses ReLU',
         'the first layer is linear, not the last',
         'the last layer is the linear one: nonlin=i != len(nouts) - 1'),
    _bug('last-layer-off-by-one', 'mlp-init', 'nonlin=i != len(nouts) - 1',
         'nonlin=i != len(nouts)', 'mlp-linear-last', 'must be linear',
         'the linear layer is one past the end', 'compare i with len(nouts) - 1, the last index',
         # i never reaches len(nouts): every layer gets nonlin=True, on every input
         same_as='nonlinear-last-layer'),
    _bug('sizes-not-chained', 'mlp-init', 'Layer(sizes[i], sizes[i + 1]', 'Layer(nin, sizes[i + 1]',
         'mlp-init', 'reads the size before it', 'every layer reads nin inputs',
         'layer i reads sizes[i] inputs: Layer(sizes[i], sizes[i + 1], ...)'),
    _bug('nouts-modified', 'mlp-init', '    sizes = [nin] + list(nouts)',
         '    sizes = nouts\n    sizes.insert(0, nin)\n    nouts = sizes[1:]', 'mlp-init',
         'do not modify nouts',
         'the list of sizes is modified', 'build a new list: sizes = [nin] + list(nouts)'),
    _bug('shared-layer', 'mlp-init', None,
         'def __init__(self, nin, nouts):\n'
         '    self.layers = [Layer(nin, nouts[0], nonlin=len(nouts) > 1)] * len(nouts)\n\n\n'
         'MLP.__init__ = __init__\n', 'mlp-init', 'uses it',
         'one Layer object used for every layer',
         'create each layer with its own Layer(...) call'),
    _bug('mlp-call-skips-last-layer', 'mlp-call', '    for layer in self.layers:',
         '    for layer in self.layers[:-1]:', 'mlp-forward', 'returned a list for a single output',
         'the last layer is skipped', 'feed x through every layer, the last one included'),
    _bug('mlp-call-returns-input', 'mlp-call', '        x = layer(x)\n    return x',
         '        out = layer(x)\n    return out', 'mlp-forward', 'expected',
         'each layer reads the network input', "feed each layer the previous layer's output"),
    _bug('mlp-call-wraps-list', 'mlp-call', '    return x', '    return x if isinstance(x, list) '
         'else [x]', 'mlp-single-output', 'returned a list',
         'a single output is wrapped in a list', 'return the last layer\'s output as it is'),
    _bug('mlp-parameters-of-last-layer', 'mlp-parameters',
         'return [p for layer in self.layers for p in layer.parameters()]',
         'return self.layers[-1].parameters()', 'mlp-parameters', 'every layer',
         'parameters() lists the last layer only', "collect every layer's parameters, in order"),
    _bug('mlp-parameters-reversed', 'mlp-parameters',
         'return [p for layer in self.layers for p in layer.parameters()]',
         'return [p for layer in reversed(self.layers) for p in layer.parameters()]',
         'mlp-parameters', 'expected', 'the layers are listed last first',
         'list the parameters layer by layer, first layer first'),
    _bug('mlp-repr-no-brackets', 'mlp-repr', "return f\"MLP of [{', '.join(str(layer) for layer "
         "in self.layers)}]\"", "return f\"MLP of {', '.join(str(layer) for layer in "
         "self.layers)}\"", 'mlp-repr', 'expected', 'repr leaves out the brackets',
         "return f\"MLP of [{', '.join(...)}]\""),
]
