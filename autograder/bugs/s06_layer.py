"""Catalogued mistakes of stage 06-layer."""

from autograder.bugs import Bug


def _bug(name, cell, old, new, test, says, summary, fix):
    return Bug(name, '06-layer', cell, old, new, test, says, summary, fix)


BUGS = [
    _bug('layer-drops-kwargs', 'layer-init', '[Neuron(nin, **kwargs) for', '[Neuron(nin) for',
         'layer-kwargs', 'pass **kwargs on', 'the keyword arguments are dropped',
         'create each neuron as Neuron(nin, **kwargs)'),
    _bug('layer-shared-neuron', 'layer-init',
         '[Neuron(nin, **kwargs) for _ in range(nout)]', '[Neuron(nin, **kwargs)] * nout',
         'layer-init', 'uses it 2 times', 'one Neuron shared by the whole layer',
         'create each neuron with its own Neuron(nin, **kwargs) call'),
    _bug('layer-one-neuron-too-few', 'layer-init', 'for _ in range(nout)]',
         'for _ in range(nout - 1)]', 'layer-init', 'expected 2', 'one neuron too few',
         'create nout neurons: range(nout)'),
    _bug('layer-sizes-swapped', 'layer-init', '[Neuron(nin, **kwargs) for _ in range(nout)]',
         '[Neuron(nout, **kwargs) for _ in range(nin)]', 'layer-init', 'expected 2',
         'nin and nout are swapped', 'make nout neurons of nin inputs each'),
    _bug('layer-nonlin-forced-false', 'layer-init', '[Neuron(nin, **kwargs) for',
         '[Neuron(nin, nonlin=False) for', 'layer-init', 'default to ReLU',
         'every neuron is made linear', 'pass **kwargs on, so neurons default to ReLU'),
    _bug('layer-returns-list-for-one-output', 'layer-call',
         'return out[0] if len(out) == 1 else out', 'return out', 'layer-single-output',
         'returned a list for a single output', 'a list of one Value for one neuron',
         'return out[0] when the layer has one neuron'),
    _bug('layer-returns-first-output', 'layer-call', 'return out[0] if len(out) == 1 else out',
         'return out[0]', 'layer-forward', 'a single Value', 'only the first output is returned',
         'return the whole list when there are two or more neurons'),
    _bug('layer-single-output-cached', 'layer-call', '    out = [n(x) for n in self.neurons]',
         "    if getattr(self, 'first', None) is None:\n"
         "        self.first = [n(x) for n in self.neurons]\n"
         "    out = self.first", 'layer-single-output', 'every call must compute',
         'the first outputs are reused for every call', 'compute the neurons on every call'),
    _bug('layer-reversed-outputs', 'layer-call', 'out = [n(x) for n in self.neurons]',
         'out = [n(x) for n in reversed(self.neurons)]', 'layer-forward', 'output 0',
         'the outputs come in reverse order', 'return the outputs in neuron order'),
    _bug('layer-parameters-of-one-neuron', 'layer-parameters',
         'return [p for n in self.neurons for p in n.parameters()]',
         'return self.neurons[0].parameters()', 'layer-parameters', 'every neuron',
         'parameters() lists one neuron only', "collect every neuron's parameters"),
    _bug('layer-parameters-nested', 'layer-parameters',
         'return [p for n in self.neurons for p in n.parameters()]',
         'return [n.parameters() for n in self.neurons]', 'layer-parameters',
         'has 2 parameters, expected 8', 'parameters() returns a list of lists',
         'flatten: [p for n in self.neurons for p in n.parameters()]'),
    _bug('layer-parameters-weights-only', 'layer-parameters',
         'return [p for n in self.neurons for p in n.parameters()]',
         'return [w for n in self.neurons for w in n.w]', 'layer-parameters',
         'the biases are missing', "parameters() leaves out the biases",
         "use each neuron's parameters(), which include its bias"),
    _bug('layer-repr-no-brackets', 'layer-repr', "return f\"Layer of [{', '.join(str(n) for n "
         "in self.neurons)}]\"", "return f\"Layer of {', '.join(str(n) for n in self.neurons)}\"",
         'layer-repr', 'expected', 'repr leaves out the brackets',
         "return f\"Layer of [{', '.join(...)}]\""),
]
