"""dlbook: the code of "Deep Learning: principles and code examples", runnable and tested.

::

    from dlbook import data, models, plots, training
    ds = data.load_images("fashion_mnist")
    trainer = training.Trainer(models.LeNet(), keras.optimizers.Adam())
    history = trainer.fit(ds.train, epochs=5, validation_data=ds.validation)
    plots.plot_history(history, "curves.png")

Importing dlbook imports nothing heavy: `dlbook.scratch` is NumPy only. The modules that use
TensorFlow import it without its start-up notices (`dlbook.tf_startup`); that is why the chapter
scripts import dlbook before keras and tensorflow.
"""

__version__ = "0.1.0"
