Console.WriteLine("LatentModels quick start");
